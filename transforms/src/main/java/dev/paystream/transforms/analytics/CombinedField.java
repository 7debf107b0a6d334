package dev.paystream.transforms.analytics;

import dev.paystream.schemas.PaymentEvent;
import java.io.Serializable;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.CombineFns;
import org.apache.beam.sdk.transforms.CombineFns.CoCombineResult;
import org.apache.beam.sdk.transforms.CombineFns.ComposedCombineFn;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.values.TupleTag;

/**
 * One combiner over payments and the record field(s) its result fills. A transform picks its
 * fields when it is built and still runs them all as one {@link CombineFns#compose()} combine, over
 * one GroupByKey.
 *
 * @param <InputT> what the combiner reads from each payment
 * @param <ResultT> what it produces
 * @param <BuilderT> the record builder its result goes into
 */
final class CombinedField<InputT, ResultT, BuilderT> implements Serializable {
  /** Writes a combiner's result into a record builder. */
  interface Setter<ResultT, BuilderT> extends Serializable {
    void set(BuilderT builder, ResultT result);
  }

  private final Extract<InputT> input;
  private final Coder<InputT> inputCoder;
  private final CombineFn<InputT, ?, ResultT> combiner;
  private final Setter<ResultT, BuilderT> setter;
  private final TupleTag<ResultT> tag = new TupleTag<>();

  private CombinedField(
      Extract<InputT> input,
      Coder<InputT> inputCoder,
      CombineFn<InputT, ?, ResultT> combiner,
      Setter<ResultT, BuilderT> setter) {
    this.input = input;
    this.inputCoder = inputCoder;
    this.combiner = combiner;
    this.setter = setter;
  }

  static <InputT, ResultT, BuilderT> CombinedField<InputT, ResultT, BuilderT> of(
      SerializableFunction<PaymentEvent, InputT> input,
      Coder<InputT> inputCoder,
      CombineFn<InputT, ?, ResultT> combiner,
      Setter<ResultT, BuilderT> setter) {
    return new CombinedField<>(new Extract<>(input), inputCoder, combiner, setter);
  }

  /** All {@code fields} as one combine; {@link #fill} reads its result. */
  static <BuilderT> ComposedCombineFn<PaymentEvent> compose(List<CombinedField<?, ?, BuilderT>> fields) {
    if (fields.isEmpty()) {
      throw new IllegalArgumentException("nothing to combine");
    }
    ComposedCombineFn<PaymentEvent> composed = fields.get(0).startComposition();
    for (CombinedField<?, ?, BuilderT> field : fields.subList(1, fields.size())) {
      composed = field.addTo(composed);
    }
    return composed;
  }

  /**
   * Sets every field's result from a combine made by {@link #compose}. Capture the same list in
   * the function that calls this, so it travels to the workers with the combine's tags: a list
   * built again on a worker, e.g. in a static initialiser, would have new tags.
   */
  static <BuilderT> void fill(List<CombinedField<?, ?, BuilderT>> fields, CoCombineResult result, BuilderT builder) {
    fields.forEach(field -> field.set(result, builder));
  }

  private ComposedCombineFn<PaymentEvent> startComposition() {
    return CombineFns.compose().with(input, inputCoder, combiner, tag);
  }

  private ComposedCombineFn<PaymentEvent> addTo(ComposedCombineFn<PaymentEvent> composed) {
    return composed.with(input, inputCoder, combiner, tag);
  }

  private void set(CoCombineResult result, BuilderT builder) {
    setter.set(builder, result.get(tag));
  }

  /** {@code CombineFns} wants a {@link SimpleFunction}; the explicit input coder makes its type moot. */
  private static final class Extract<InputT> extends SimpleFunction<PaymentEvent, InputT> {
    Extract(SerializableFunction<PaymentEvent, InputT> fn) {
      super(fn);
    }
  }
}
