package dev.paystream.transforms.analytics;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.display.DisplayData;

/**
 * A {@link CombineFn} whose every decoded accumulator is merged into a fresh one, for a combiner
 * whose accumulator coder does not restore all of an accumulator: the fresh accumulator takes its
 * configuration from the combiner, and only the data comes from the bytes. The bytes are the
 * wrapped coder's, so state written without the wrap reads back unchanged.
 *
 * <p>Why: Beam's {@code ApproximateQuantiles} (2.62) decodes a {@code QuantileState} with the
 * number of buffers it holds as the number it may hold. Once a runner has encoded and decoded the
 * accumulator (Flink copies heap state through the coder while a checkpoint is taken, and decodes
 * it on restore), the next full buffer makes it collapse buffers that are not there: a
 * NullPointerException in {@code collapseIfNeeded}, on every restart again. It stopped the
 * analytics job on Flink for good once an hourly payment-method window held more than 1,908
 * payments after a checkpoint (the chaos suite's 200,000 payments). Merging is exact: a valid
 * accumulator holds fewer unbuffered elements than fill a buffer, and no more buffers than allowed.
 */
final class MergeDecodedAccumulators<InputT, AccumT, OutputT> extends CombineFn<InputT, AccumT, OutputT> {
  private final CombineFn<InputT, AccumT, OutputT> combiner;

  private MergeDecodedAccumulators(CombineFn<InputT, AccumT, OutputT> combiner) {
    this.combiner = combiner;
  }

  static <InputT, AccumT, OutputT> MergeDecodedAccumulators<InputT, AccumT, OutputT> of(
      CombineFn<InputT, AccumT, OutputT> combiner) {
    return new MergeDecodedAccumulators<>(combiner);
  }

  @Override
  public AccumT createAccumulator() {
    return combiner.createAccumulator();
  }

  @Override
  public AccumT addInput(AccumT accumulator, InputT input) {
    return combiner.addInput(accumulator, input);
  }

  @Override
  public AccumT mergeAccumulators(Iterable<AccumT> accumulators) {
    return combiner.mergeAccumulators(accumulators);
  }

  @Override
  public AccumT compact(AccumT accumulator) {
    return combiner.compact(accumulator);
  }

  @Override
  public OutputT extractOutput(AccumT accumulator) {
    return combiner.extractOutput(accumulator);
  }

  @Override
  public Coder<AccumT> getAccumulatorCoder(CoderRegistry registry, Coder<InputT> inputCoder)
      throws CannotProvideCoderException {
    return new MergingCoder<>(combiner, combiner.getAccumulatorCoder(registry, inputCoder));
  }

  @Override
  public Coder<OutputT> getDefaultOutputCoder(CoderRegistry registry, Coder<InputT> inputCoder)
      throws CannotProvideCoderException {
    return combiner.getDefaultOutputCoder(registry, inputCoder);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    builder.include("combiner", combiner);
  }

  /** The wrapped coder's bytes; a decoded accumulator is merged into a fresh one. */
  private static final class MergingCoder<AccumT> extends CustomCoder<AccumT> {
    private final CombineFn<?, AccumT, ?> combiner;
    private final Coder<AccumT> coder;

    MergingCoder(CombineFn<?, AccumT, ?> combiner, Coder<AccumT> coder) {
      this.combiner = combiner;
      this.coder = coder;
    }

    @Override
    public void encode(AccumT accumulator, OutputStream out) throws IOException {
      coder.encode(accumulator, out);
    }

    @Override
    @SuppressWarnings("deprecation") // the wrapped coder may depend on the context: pass it on
    public void encode(AccumT accumulator, OutputStream out, Context context) throws IOException {
      coder.encode(accumulator, out, context);
    }

    @Override
    public AccumT decode(InputStream in) throws IOException {
      return combiner.mergeAccumulators(List.of(coder.decode(in)));
    }

    @Override
    @SuppressWarnings("deprecation")
    public AccumT decode(InputStream in, Context context) throws IOException {
      return combiner.mergeAccumulators(List.of(coder.decode(in, context)));
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      coder.verifyDeterministic();
    }
  }
}
