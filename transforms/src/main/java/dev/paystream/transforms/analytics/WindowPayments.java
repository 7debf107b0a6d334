package dev.paystream.transforms.analytics;

import dev.paystream.schemas.metrics.PaystreamMetrics;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.wire.PaymentEventWire;
import dev.paystream.transforms.validate.DeadLetterReason;
import java.nio.ByteBuffer;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Keys payments and assigns them to their event-time windows with the triggers of a {@link
 * PaymentWindowing}, ready for {@code Combine.perKey}; a payment too late for a window goes to
 * {@link #DEAD_LETTERS} instead, one dead letter per window it missed.
 *
 * <p><b>How too-late payments are caught.</b> A GroupByKey silently drops an element from window
 * {@code w} when {@code w.maxTimestamp() + allowedLateness} is before its input watermark. An
 * ordinary DoFn cannot see the watermark, and a stateful DoFn in the same windowing does not help:
 * the runner drops expired elements before calling it. So:
 *
 * <ol>
 *   <li>{@link StampWatermarkFn}, a stateful DoFn in the global window (which never expires, so
 *       nothing is dropped there), reads its input watermark from an event-time timer ({@link
 *       Timer#getCurrentRelativeTime()}) and pairs each payment with it. It sets no timer and keeps
 *       no state.
 *   <li>After {@code Window.into}, {@link SplitTooLateFn} sees each (payment, window) pair on its
 *       own and dead-letters the pairs whose window had expired by that watermark. For sessions the
 *       window is the payment's own {@code [t, t + gap)} before merging, which is also what the
 *       GroupByKey judges.
 *   <li>No pair that passes can be dropped later. The watermark never overtakes an element in
 *       flight (the DirectRunner holds a step's input watermark at its pending elements; Flink
 *       sends watermarks in order with the elements), so when the pair reaches the GroupByKey its
 *       watermark is at most the later of the stamped watermark and the payment's own timestamp,
 *       and a window that passed step 2 expires no earlier than either.
 * </ol>
 *
 * So each (payment, window) pair ends in exactly one place: its window's panes or a dead letter.
 * The tests also check that the runner's own late-drop counter stays at zero.
 *
 * <p>Runner requirement: {@code getCurrentRelativeTime()} of an event-time timer is the input
 * watermark in the runners built on runners-core (DirectRunner, the classic FlinkRunner). The
 * portable Fn API harness returns the element timestamp instead; there nothing would be
 * dead-lettered and the GroupByKey would drop too-late payments unseen.
 *
 * <p>Counter (namespace {@value #METRICS_NAMESPACE}): {@code dead_letter_LATE}.
 */
class WindowPayments extends PTransform<PCollection<PaymentEvent>, PCollectionTuple> {
  static final String METRICS_NAMESPACE = "analytics";
  static final TupleTag<KV<String, PaymentEvent>> WINDOWED = new TupleTag<>() {};
  static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  /**
   * Keys of the watermark-stamping step. It needs keys only because timers do; runners keep a
   * little bookkeeping per key (a cleanup timer on Flink), so a fixed handful bounds that while
   * still spreading the work.
   *
   * <p>A payment's shard comes from its customer, the key deduplication already grouped it by: the
   * DirectRunner hands a stateful step's output on in one bundle per key, and a bundle of one
   * customer's payments then stays one bundle here. Sharded by transaction id, each bundle was cut
   * in up to 16, so the GroupByKey after it saw about one payment per bundle and, per bundle,
   * copied the state of every window of the key it touched: the time of a backfill grew with the
   * square of its size (figures in the README, "Backfill and reprocessing"). The stamp is the same
   * whatever the key: it is the step's input watermark.
   */
  private static final int STAMP_SHARDS = 16;

  private final String stage;
  private final PaymentWindowing windowing;
  private final SerializableFunction<PaymentEvent, String> key;

  /**
   * @param stage names the analytic in dead letters, e.g. {@code stats_by_merchant}
   * @param key what the results are grouped by
   */
  WindowPayments(String stage, PaymentWindowing windowing, SerializableFunction<PaymentEvent, String> key) {
    this.stage = stage;
    this.windowing = windowing;
    this.key = key;
  }

  @Override
  public PCollectionTuple expand(PCollection<PaymentEvent> payments) {
    AvroCoder<PaymentEvent> paymentCoder = AvroCoder.of(PaymentEvent.class);
    PCollectionTuple split =
        payments
            // Whatever windowing the input had, the stamping step must not drop anything itself.
            .apply("IntoGlobalWindow", Window.into(new GlobalWindows()))
            .apply(
                "KeyByShard",
                WithKeys.of((PaymentEvent p) -> Math.floorMod(p.getCustomerId().hashCode(), STAMP_SHARDS))
                    .withKeyType(TypeDescriptors.integers()))
            .setCoder(KvCoder.of(VarIntCoder.of(), paymentCoder))
            .apply("StampWatermark", ParDo.of(new StampWatermarkFn()))
            .setCoder(KvCoder.of(InstantCoder.of(), paymentCoder))
            .apply("Window", windowing.<KV<Instant, PaymentEvent>>window())
            .apply(
                "SplitTooLate",
                ParDo.of(new SplitTooLateFn(stage, windowing.allowedLateness(), key))
                    .withOutputTags(WINDOWED, TupleTagList.of(DEAD_LETTERS)));
    PCollection<KV<String, PaymentEvent>> windowed =
        split.get(WINDOWED).setCoder(KvCoder.of(StringUtf8Coder.of(), paymentCoder));
    PCollection<DeadLetter> deadLetters =
        split
            .get(DEAD_LETTERS)
            .setCoder(AvroCoder.of(DeadLetter.class))
            // Back to the default global windowing, so they flatten with other dead letters.
            .apply(
                "DeadLettersIntoGlobalWindow",
                Window.<DeadLetter>into(new GlobalWindows())
                    .triggering(DefaultTrigger.of())
                    .withAllowedLateness(Duration.ZERO)
                    .discardingFiredPanes());
    return PCollectionTuple.of(WINDOWED, windowed).and(DEAD_LETTERS, deadLetters);
  }

  /** Pairs each payment with the input watermark at the moment it is processed. */
  private static class StampWatermarkFn extends DoFn<KV<Integer, PaymentEvent>, KV<Instant, PaymentEvent>> {
    /** Never set: only read, for the watermark. */
    @TimerId("watermark")
    private final TimerSpec watermarkSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @ProcessElement
    public void process(
        @Element KV<Integer, PaymentEvent> element,
        @TimerId("watermark") Timer watermark,
        OutputReceiver<KV<Instant, PaymentEvent>> out) {
      out.output(KV.of(watermark.getCurrentRelativeTime(), element.getValue()));
    }

    @OnTimer("watermark")
    public void onWatermark() {
      // Unreachable: the timer is never set.
    }
  }

  /** Dead-letters each (payment, window) whose window expired by the stamped watermark. */
  private static class SplitTooLateFn extends DoFn<KV<Instant, PaymentEvent>, KV<String, PaymentEvent>> {
    private final String stage;
    private final Duration allowedLateness;
    private final SerializableFunction<PaymentEvent, String> key;
    private final Counter late = Metrics.counter(METRICS_NAMESPACE, "dead_letter_" + DeadLetterReason.LATE.name());

    SplitTooLateFn(String stage, Duration allowedLateness, SerializableFunction<PaymentEvent, String> key) {
      this.stage = stage;
      this.allowedLateness = allowedLateness;
      this.key = key;
    }

    /** Taking the window makes the runner call this once per window of a payment. */
    @ProcessElement
    public void process(@Element KV<Instant, PaymentEvent> element, BoundedWindow window, MultiOutputReceiver out) {
      Instant watermark = element.getKey();
      PaymentEvent payment = element.getValue();
      Instant expiry = window.maxTimestamp().plus(allowedLateness);
      if (expiry.isBefore(watermark)) {
        late.inc();
        PaystreamMetrics.DEAD_LETTERS.labelValues(DeadLetterReason.LATE.name()).inc();
        out.get(DEAD_LETTERS).output(tooLate(payment, window, expiry, watermark));
      } else {
        out.get(WINDOWED).output(KV.of(key.apply(payment), payment));
      }
    }

    /**
     * The payment as a dead letter. {@code failed_at} is the watermark, not the wall clock, so a
     * replay produces the same record and the idempotent sinks absorb it.
     */
    private DeadLetter tooLate(PaymentEvent payment, BoundedWindow window, Instant expiry, Instant watermark) {
      return DeadLetter.newBuilder()
          .setPayload(ByteBuffer.wrap(PaymentEventWire.encode(payment)))
          .setStage(stage)
          .setErrorCode(DeadLetterReason.LATE.name())
          .setMessage(
              String.format(
                  "payment %s at %s is too late for window %s of %s: the window closed at %s and the watermark was %s",
                  payment.getTransactionId(),
                  new Instant(payment.getEventTime()),
                  window,
                  key.apply(payment),
                  expiry,
                  watermark))
          .setFailedAt(watermark.getMillis())
          .build();
    }
  }
}
