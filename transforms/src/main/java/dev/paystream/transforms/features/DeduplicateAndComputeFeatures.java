package dev.paystream.transforms.features;

import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.transforms.dedup.DeduplicatePayments;
import dev.paystream.transforms.dedup.DeduplicatePayments.RepeatFilter;
import dev.paystream.transforms.features.ComputeCustomerFeatures.PointInTimeStep;
import dev.paystream.transforms.state.StateCoders;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * A prototype (issue 16, not the default): {@link DeduplicatePayments} and {@link
 * ComputeCustomerFeatures} in one customer-keyed step, so that a payment crosses one shuffle, not
 * two, and both states are reached under one key. The same per-customer logic ({@link
 * RepeatFilter}, {@link PointInTimeStep}) and the same state coders; but its state lives under a
 * step name of its own ({@code DeduplicateAndComputeFeatures}), so a savepoint of the two steps
 * does not restore into it: switching a running job over means starting its state afresh.
 */
public class DeduplicateAndComputeFeatures extends PTransform<PCollection<PaymentEvent>, PCollection<CustomerFeatures>> {
  private final DeduplicatePayments dedup;
  private final ComputeCustomerFeatures features;

  private DeduplicateAndComputeFeatures(DeduplicatePayments dedup, ComputeCustomerFeatures features) {
    this.dedup = dedup;
    this.features = features;
  }

  /** Both steps as configured; the keyed payments take {@code features}' payment coder. */
  public static DeduplicateAndComputeFeatures of(DeduplicatePayments dedup, ComputeCustomerFeatures features) {
    return new DeduplicateAndComputeFeatures(dedup, features);
  }

  @Override
  public PCollection<CustomerFeatures> expand(PCollection<PaymentEvent> payments) {
    return payments
        .apply("KeyByCustomer", WithKeys.of(PaymentEvent::getCustomerId).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), StateCoders.payments(features.paymentCoder())))
        .apply("DeduplicateAndComputeFeatures", ParDo.of(new FusedFn(dedup.repeatFilter(), features.pointInTimeStep())))
        .setCoder(StateCoders.avro(CustomerFeatures.class));
  }

  private static class FusedFn extends DoFn<KV<String, PaymentEvent>, CustomerFeatures> {
    private final RepeatFilter repeats;
    private final PointInTimeStep step;

    @StateId("arrivals")
    private final StateSpec<ValueState<Map<String, Long>>> arrivalsSpec = RepeatFilter.arrivalsSpec();

    @TimerId("forgetArrivals")
    private final TimerSpec forgetArrivalsSpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

    @StateId("history")
    private final StateSpec<ValueState<CustomerHistory>> historySpec = PointInTimeStep.historySpec();

    @TimerId("forgetHistory")
    private final TimerSpec forgetHistorySpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    FusedFn(RepeatFilter repeats, PointInTimeStep step) {
      this.repeats = repeats;
      this.step = step;
    }

    @ProcessElement
    public void process(
        @Element KV<String, PaymentEvent> element,
        @StateId("arrivals") ValueState<Map<String, Long>> arrivals,
        @TimerId("forgetArrivals") Timer forgetArrivals,
        @StateId("history") ValueState<CustomerHistory> history,
        @TimerId("forgetHistory") Timer forgetHistory,
        OutputReceiver<CustomerFeatures> out) {
      PaymentEvent payment = element.getValue();
      if (repeats.admit(payment.getTransactionId(), arrivals, forgetArrivals)) {
        out.output(step.features(payment, history, forgetHistory));
      }
    }

    @OnTimer("forgetArrivals")
    public void onForgetArrivals(
        @StateId("arrivals") ValueState<Map<String, Long>> arrivals, @TimerId("forgetArrivals") Timer forgetArrivals) {
      repeats.forget(arrivals, forgetArrivals);
    }

    @OnTimer("forgetHistory")
    public void onForgetHistory(@StateId("history") ValueState<CustomerHistory> history) {
      step.forget(history);
    }
  }
}
