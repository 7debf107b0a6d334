package dev.paystream.transforms.analytics;

import dev.paystream.schemas.metrics.PaystreamMetrics;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.WindowPane;
import java.io.Serializable;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.CombineFns.CoCombineResult;
import org.apache.beam.sdk.transforms.CombineFns.ComposedCombineFn;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/**
 * What every windowed payment analytic shares: {@link WindowPayments} keys and windows the
 * payments and dead-letters the too-late ones, one composed combine summarises each key's window,
 * and each pane it fires becomes one record.
 *
 * <p>A pane without payments is dropped (counter {@code analytics/empty_panes_dropped}). Beam's
 * Flink runner fires one for every window after its real panes: a second ON_TIME pane, index 0,
 * nothing in it (seen with Beam 2.62 on Flink 1.19, never on the DirectRunner; {@code
 * FlinkEmbeddedAnalyticsIT} fails without this). Passed on, it would replace the window's result.
 *
 * @param <OutputT> the record per key, window and pane
 */
final class WindowedCombine<OutputT> extends PTransform<PCollection<PaymentEvent>, PCollectionTuple> {
  /** Builds the record of one key's window as of one pane. */
  interface PaneRecord<OutputT> extends Serializable {
    OutputT of(String key, WindowPane pane, CoCombineResult combined);
  }

  private final WindowPayments windowPayments;
  private final ComposedCombineFn<PaymentEvent> combine;
  private final PaneRecord<OutputT> record;
  private final TupleTag<OutputT> outputTag;
  private final Coder<OutputT> outputCoder;
  private final TupleTag<Long> paymentCount = new TupleTag<>();

  /** Outputs records under {@code outputTag} and dead letters under {@link WindowPayments#DEAD_LETTERS}. */
  WindowedCombine(
      WindowPayments windowPayments,
      ComposedCombineFn<PaymentEvent> combine,
      PaneRecord<OutputT> record,
      TupleTag<OutputT> outputTag,
      Coder<OutputT> outputCoder) {
    this.windowPayments = windowPayments;
    this.combine = combine;
    this.record = record;
    this.outputTag = outputTag;
    this.outputCoder = outputCoder;
  }

  @Override
  public PCollectionTuple expand(PCollection<PaymentEvent> payments) {
    PCollectionTuple windowed = payments.apply("WindowPayments", windowPayments);
    PCollection<OutputT> records =
        windowed
            .get(WindowPayments.WINDOWED)
            .apply("Combine", Combine.perKey(combine.with(new One(), VarLongCoder.of(), Sum.ofLongs(), paymentCount)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(CoCombineResult.class)))
            .apply("ToRecords", ParDo.of(new ToRecordFn<>(record, paymentCount)))
            .setCoder(outputCoder);
    return PCollectionTuple.of(outputTag, records)
        .and(WindowPayments.DEAD_LETTERS, windowed.get(WindowPayments.DEAD_LETTERS));
  }

  /** Each payment counts one. */
  private static final class One extends SimpleFunction<PaymentEvent, Long> {
    @Override
    public Long apply(PaymentEvent payment) {
      return 1L;
    }
  }

  private static class ToRecordFn<OutputT> extends DoFn<KV<String, CoCombineResult>, OutputT> {
    private final Counter emptyPanes = Metrics.counter("analytics", "empty_panes_dropped");
    private final PaneRecord<OutputT> record;
    private final TupleTag<Long> paymentCount;

    ToRecordFn(PaneRecord<OutputT> record, TupleTag<Long> paymentCount) {
      this.record = record;
      this.paymentCount = paymentCount;
    }

    @ProcessElement
    public void process(
        @Element KV<String, CoCombineResult> combined,
        BoundedWindow window,
        PaneInfo pane,
        OutputReceiver<OutputT> out) {
      if (combined.getValue().get(paymentCount) == 0) {
        emptyPanes.inc();
        return;
      }
      PaystreamMetrics.ANALYTICS_PANES.labelValues(pane.getTiming().name()).inc();
      out.output(record.of(combined.getKey(), WindowPanes.of(window, pane), combined.getValue()));
    }
  }
}
