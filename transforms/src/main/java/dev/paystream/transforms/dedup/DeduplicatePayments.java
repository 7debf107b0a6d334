package dev.paystream.transforms.dedup;

import dev.paystream.schemas.PaymentEvent;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.Deduplicate;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;

/**
 * Drops repeated payments (same transaction id) seen within an event-time horizon of the first
 * one. Backed by Beam's {@link Deduplicate}: the seen-ids state is checkpointed with the rest of
 * the pipeline and expires by event-time timer once the watermark passes first sighting + horizon.
 * A repeat arriving after that is not recognised, so pick a horizon longer than any redelivery.
 *
 * <p>Counters (namespace {@value #METRICS_NAMESPACE}): {@code in} and {@code out}; duplicates
 * dropped = in - out.
 */
public class DeduplicatePayments extends PTransform<PCollection<PaymentEvent>, PCollection<PaymentEvent>> {
  public static final String METRICS_NAMESPACE = "dedup";

  private final Duration horizon;

  private DeduplicatePayments(Duration horizon) {
    this.horizon = horizon;
  }

  public static DeduplicatePayments within(Duration horizon) {
    return new DeduplicatePayments(horizon);
  }

  @Override
  public PCollection<PaymentEvent> expand(PCollection<PaymentEvent> payments) {
    return payments
        .apply("CountIn", ParDo.of(new CountFn("in")))
        .apply(
            "DropRepeatedTransactionIds",
            Deduplicate.withRepresentativeValueFn(PaymentEvent::getTransactionId)
                .withRepresentativeCoder(StringUtf8Coder.of())
                .withTimeDomain(TimeDomain.EVENT_TIME)
                .withDuration(horizon))
        .apply("CountOut", ParDo.of(new CountFn("out")));
  }

  private static class CountFn extends DoFn<PaymentEvent, PaymentEvent> {
    private final Counter counter;

    CountFn(String name) {
      this.counter = Metrics.counter(METRICS_NAMESPACE, name);
    }

    @ProcessElement
    public void process(@Element PaymentEvent payment, OutputReceiver<PaymentEvent> out) {
      counter.inc();
      out.output(payment);
    }
  }
}
