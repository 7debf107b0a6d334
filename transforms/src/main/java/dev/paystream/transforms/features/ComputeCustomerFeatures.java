package dev.paystream.transforms.features;

import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.transforms.state.PaymentCoder;
import dev.paystream.transforms.state.StateCoders;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.Reify;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Per-customer features for every payment, computed at the moment of the payment: payments in the
 * last 5 minutes and hour, amount in the last 24 hours, time since the previous payment, whether
 * the hour is unusual for this customer and the amount's z-score against the customer's history;
 * whether the device is new to the customer (PaymentEvent v2's device id) and the speed in km/h
 * from their previous located payment (impossible travel); whether the merchant is new to the
 * customer. The merchant's own features follow in {@link ComputeMerchantFeatures}.
 *
 * <p>State is one {@code CustomerHistory} per customer; a customer inactive for longer than the
 * inactivity TTL (event time) is forgotten by timer, so state stays bounded by active customers.
 * Its coder and the keyed payments' are versioned ({@link StateCoders}), and {@code
 * PointInTimeFeatures} is a savepoint key: a new release restores the history an old one built.
 */
public class ComputeCustomerFeatures extends PTransform<PCollection<PaymentEvent>, PCollection<CustomerFeatures>> {
  public static final String METRICS_NAMESPACE = "features";

  private final int minHistory;
  private final Duration inactivityTtl;
  private final PaymentCoder paymentCoder;

  private ComputeCustomerFeatures(int minHistory, Duration inactivityTtl, PaymentCoder paymentCoder) {
    this.minHistory = minHistory;
    this.inactivityTtl = inactivityTtl;
    this.paymentCoder = paymentCoder;
  }

  /** Defaults: 10 earlier payments before z-score and unusual hour count; forget after 30 days. */
  public static ComputeCustomerFeatures create() {
    return new ComputeCustomerFeatures(10, Duration.standardDays(30), PaymentCoder.COMPACT);
  }

  /** Earlier payments a customer needs before the z-score and unusual-hour features speak. */
  public ComputeCustomerFeatures withMinHistory(int payments) {
    return new ComputeCustomerFeatures(payments, inactivityTtl, paymentCoder);
  }

  /** Event time without payments after which a customer's history is dropped. */
  public ComputeCustomerFeatures withInactivityTtl(Duration ttl) {
    return new ComputeCustomerFeatures(minHistory, ttl, paymentCoder);
  }

  /** The layout of the keyed payments ({@link StateCoders#payments}); compact by default. */
  PaymentCoder paymentCoder() {
    return paymentCoder;
  }

  /** The layout of the keyed payments ({@link StateCoders#payments}); compact by default. */
  public ComputeCustomerFeatures withPaymentCoder(PaymentCoder coder) {
    return new ComputeCustomerFeatures(minHistory, inactivityTtl, coder);
  }

  @Override
  public PCollection<CustomerFeatures> expand(PCollection<PaymentEvent> payments) {
    PCollection<KV<String, PaymentEvent>> keyed =
        payments
            .apply("KeyByCustomer", WithKeys.of(PaymentEvent::getCustomerId).withKeyType(TypeDescriptors.strings()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), StateCoders.payments(paymentCoder)));
    if (payments.isBounded() == PCollection.IsBounded.BOUNDED) {
      // A backfill: a keyed step gets a customer's payments in no order at all, and the running
      // statistics (amount profile, usual hours, history count) would learn from later payments.
      return keyed
          .apply("WithTimestamps", Reify.timestampsInValue())
          // Each feature keeps its payment's timestamp, so the group's must not be later.
          .apply("EarliestTimestamp",
              Window.<KV<String, TimestampedValue<PaymentEvent>>>configure().withTimestampCombiner(TimestampCombiner.EARLIEST))
          .apply("GroupByCustomer", GroupByKey.create())
          .apply("PointInTimeFeatures", ParDo.of(new InEventTimeOrderFn(pointInTimeStep())))
          .setCoder(StateCoders.avro(CustomerFeatures.class));
    }
    return keyed
        .apply("PointInTimeFeatures", ParDo.of(new FeaturesFn(pointInTimeStep())))
        // Versioned too: Flink keeps a step's output in its savepoint while a snapshot is taken.
        .setCoder(StateCoders.avro(CustomerFeatures.class));
  }

  /** What this step does per customer, for a DoFn that declares its state (see {@link PointInTimeStep}). */
  PointInTimeStep pointInTimeStep() {
    return new PointInTimeStep(minHistory, inactivityTtl);
  }

  private static class FeaturesFn extends DoFn<KV<String, PaymentEvent>, CustomerFeatures> {
    private final PointInTimeStep step;

    @StateId("history")
    private final StateSpec<ValueState<CustomerHistory>> historySpec = PointInTimeStep.historySpec();

    @TimerId("forget")
    private final TimerSpec forgetSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    FeaturesFn(PointInTimeStep step) {
      this.step = step;
    }

    @ProcessElement
    public void process(
        @Element KV<String, PaymentEvent> element,
        @StateId("history") ValueState<CustomerHistory> historyState,
        @TimerId("forget") Timer forget,
        OutputReceiver<CustomerFeatures> out) {
      out.output(step.features(element.getValue(), historyState, forget));
    }

    @OnTimer("forget")
    public void onForget(@StateId("history") ValueState<CustomerHistory> historyState) {
      step.forget(historyState);
    }
  }

  /**
   * Bounded input: each customer's payments in event-time order, with the features at each one's
   * moment, as a stream whose payments arrive in order gets them. A gap longer than the inactivity
   * TTL starts a new history, as the timer forgets on a stream.
   */
  private static class InEventTimeOrderFn extends DoFn<KV<String, Iterable<TimestampedValue<PaymentEvent>>>, CustomerFeatures> {
    private static final Comparator<TimestampedValue<PaymentEvent>> EVENT_TIME_ORDER =
        Comparator.comparingLong((TimestampedValue<PaymentEvent> p) -> p.getValue().getEventTime())
            .thenComparing(p -> p.getValue().getTransactionId());

    private final PointInTimeStep step;

    InEventTimeOrderFn(PointInTimeStep step) {
      this.step = step;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Iterable<TimestampedValue<PaymentEvent>>> customer, OutputReceiver<CustomerFeatures> out) {
      // One customer's payments of a backfill, in memory: a customer's share of the input.
      List<TimestampedValue<PaymentEvent>> payments = new ArrayList<>();
      customer.getValue().forEach(payments::add);
      payments.sort(EVENT_TIME_ORDER);
      CustomerHistory history = new CustomerHistory();
      for (TimestampedValue<PaymentEvent> payment : payments) {
        long time = payment.getValue().getEventTime();
        if (history.hasPayments() && time > history.latestTime() + step.inactivityTtl.getMillis()) {
          history = new CustomerHistory();
          step.expired.inc();
        }
        out.outputWithTimestamp(step.addPayment(history, payment.getValue()), payment.getTimestamp());
      }
    }
  }

  /**
   * The customer's history (state {@code history}) and the event-time timer that drops it after
   * the inactivity TTL: the features of each payment, and the forgetting.
   */
  static final class PointInTimeStep implements Serializable {
    private final int minHistory;
    private final Duration inactivityTtl;
    private final Counter expired = Metrics.counter(METRICS_NAMESPACE, "customers_expired");

    PointInTimeStep(int minHistory, Duration inactivityTtl) {
      this.minHistory = minHistory;
      this.inactivityTtl = inactivityTtl;
    }

    static StateSpec<ValueState<CustomerHistory>> historySpec() {
      return StateSpecs.value(CustomerHistory.coder());
    }

    /** The payment's features at its moment; the payment joins the history, and {@code forget} moves. */
    CustomerFeatures features(PaymentEvent payment, ValueState<CustomerHistory> historyState, Timer forget) {
      CustomerHistory stored = historyState.read();
      // Never change the object read from state: a runner may snapshot it concurrently (Flink's
      // heap backend with --fasterCopy hands out the stored instance itself).
      CustomerHistory history = stored == null ? new CustomerHistory() : stored.copy();
      CustomerFeatures features = addPayment(history, payment);
      historyState.write(history);
      forget.set(new Instant(history.latestTime()).plus(inactivityTtl));
      return features;
    }

    /** The payment's features at its moment; the payment joins {@code history}. */
    CustomerFeatures addPayment(CustomerHistory history, PaymentEvent payment) {
      return history
          .addPayment(payment, minHistory)
          .setCustomerId(payment.getCustomerId())
          .setTransactionId(payment.getTransactionId())
          .build();
    }

    void forget(ValueState<CustomerHistory> historyState) {
      historyState.clear();
      expired.inc();
    }
  }
}
