package dev.paystream.transforms.features;

import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.transforms.state.StateCoders;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
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
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Adds the merchant's features to each payment's customer features: how many payments the merchant
 * had in the 30 minutes before, how many of them were risky (declined by the issuer, or unusual for their
 * own customer), the risk score made of the two ({@code merchant_risk_score}, the original design's
 * merchant risk), and the payment's amount against the merchant's typical amount.
 *
 * <p><b>Why after the customer step, keyed by merchant, and not from the decisions.</b> The
 * original design's merchant risk is the merchant's recent decline and fraud-flag rate. A rate of
 * the model's own flags would feed decisions back into the features the decisions are made on: a
 * cycle (not expressible in a Beam graph without an external loop through Kafka, and then no longer
 * point in time: a feature would depend on how fast earlier decisions came back). Instead the
 * merchant step runs on the customer step's output and counts, per earlier payment, the signals
 * the customer step already computed: the issuer's decline (PaymentEvent status) and an amount far
 * above that customer's own habits ({@link MerchantHistory#isRisky}). The graph stays a chain
 * (payments → per customer → per merchant → score), and every feature is computed from payments
 * not later in event time than the payment's own.
 *
 * <p><b>Order.</b> On a stream, each payment is sent on at once with the features of the merchant's
 * payments that reached the step before it: no latency, and the same features for a replay that
 * hands the step the same order. That order is the customer step's output order: a live stream's
 * arrival order, within a read of a few records, but a backlog read in big batches reaches the step
 * grouped by customer within each batch, and a merchant's run inside one batch is then seen out of
 * order (README, "Merchant features"). Bounded input is sorted by event time instead, and so is a
 * stream's with {@link #inEventTimeOrder}.
 *
 * <p>Features of an earlier release (restored from a savepoint while buffered, without a merchant
 * id) pass through without merchant features. State is one {@link MerchantHistory} per merchant,
 * forgotten by timer after the inactivity TTL; its coder is versioned, and {@code
 * MerchantPointInTimeFeatures} is a savepoint key. One merchant's payments go through one key: a
 * merchant with thousands of payments a second would need its key split (not done: our largest
 * merchants see tens a second).
 */
public class ComputeMerchantFeatures extends PTransform<PCollection<CustomerFeatures>, PCollection<CustomerFeatures>> {
  /** The key of features without a merchant id: passed through, no state kept under it. */
  static final String NO_MERCHANT = "";

  private final Duration inactivityTtl;
  private final boolean eventTimeOrderOnStreams;

  private ComputeMerchantFeatures(Duration inactivityTtl, boolean eventTimeOrderOnStreams) {
    this.inactivityTtl = inactivityTtl;
    this.eventTimeOrderOnStreams = eventTimeOrderOnStreams;
  }

  /** Default: forget a merchant after 30 days without payments; on a stream, at once in arrival order. */
  public static ComputeMerchantFeatures create() {
    return new ComputeMerchantFeatures(Duration.standardDays(30), false);
  }

  /** Event time without payments after which a merchant's history is dropped. */
  public ComputeMerchantFeatures withInactivityTtl(Duration ttl) {
    return new ComputeMerchantFeatures(ttl, eventTimeOrderOnStreams);
  }

  /**
   * On a stream too, hold each payment until the watermark passes it and add the features in
   * event-time order, as on bounded input: a backlog replayed in big batches keeps a merchant's runs
   * in order, and each decision waits for the watermark.
   */
  public ComputeMerchantFeatures inEventTimeOrder() {
    return new ComputeMerchantFeatures(inactivityTtl, true);
  }

  @Override
  public PCollection<CustomerFeatures> expand(PCollection<CustomerFeatures> features) {
    // Bounded input (a backfill in batch mode) reaches a keyed step in no order at all, and every
    // decision waits for the end of the input anyway: there, sorting by event time costs nothing.
    boolean eventTimeOrder = eventTimeOrderOnStreams || features.isBounded() == PCollection.IsBounded.BOUNDED;
    return features
        .apply("KeyByMerchant",
            WithKeys.of((CustomerFeatures f) -> f.getMerchantId() == null ? NO_MERCHANT : f.getMerchantId())
                .withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), StateCoders.avro(CustomerFeatures.class)))
        .apply("MerchantPointInTimeFeatures", ParDo.of(new MerchantFeaturesFn(inactivityTtl, eventTimeOrder)))
        .setCoder(StateCoders.avro(CustomerFeatures.class));
  }

  /**
   * Adds a merchant's features to its payments. On a stream, at once, in arrival order: a payment
   * sees the merchant's payments that reached this step before it and are not later than it in
   * event time (point in time, as the customer step), so the step adds no latency; a replay that
   * hands the step the same order computes the same features. On bounded input, once the
   * watermark passes each payment, in event-time order (ties by transaction id). Payments pending
   * in a savepoint of the release that held every payment for the watermark are still sent on
   * when their timer fires: the state and timers of both ways are the same.
   */
  private static class MerchantFeaturesFn extends DoFn<KV<String, CustomerFeatures>, CustomerFeatures> {
    private static final Comparator<CustomerFeatures> EVENT_TIME_ORDER =
        Comparator.comparingLong(CustomerFeatures::getEventTime).thenComparing(CustomerFeatures::getTransactionId);

    private final Duration inactivityTtl;
    private final boolean eventTimeOrder;
    private final Counter expired = Metrics.counter(ComputeCustomerFeatures.METRICS_NAMESPACE, "merchants_expired");

    @StateId("merchant")
    private final StateSpec<ValueState<MerchantHistory>> merchantSpec = StateSpecs.value(MerchantHistory.coder());

    @StateId("pending")
    private final StateSpec<BagState<CustomerFeatures>> pendingSpec = StateSpecs.bag(StateCoders.avro(CustomerFeatures.class));

    @StateId("flushAt")
    private final StateSpec<ValueState<Long>> flushAtSpec = StateSpecs.value(StateCoders.eventTime());

    @TimerId("flush")
    private final TimerSpec flushSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @TimerId("forget")
    private final TimerSpec forgetSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    MerchantFeaturesFn(Duration inactivityTtl, boolean eventTimeOrder) {
      this.inactivityTtl = inactivityTtl;
      this.eventTimeOrder = eventTimeOrder;
    }

    @ProcessElement
    public void process(
        @Element KV<String, CustomerFeatures> element,
        @StateId("merchant") ValueState<MerchantHistory> merchantState,
        @StateId("pending") BagState<CustomerFeatures> pending,
        @StateId("flushAt") ValueState<Long> flushAtState,
        @TimerId("flush") Timer flush,
        @TimerId("forget") Timer forget,
        OutputReceiver<CustomerFeatures> out) {
      if (NO_MERCHANT.equals(element.getKey())) {
        out.output(element.getValue());
        return;
      }
      if (!eventTimeOrder) {
        MerchantHistory stored = merchantState.read();
        // Never change the object read from state (see ComputeCustomerFeatures).
        MerchantHistory history = stored == null ? new MerchantHistory() : stored.copy();
        out.output(history.addPayment(element.getValue()));
        remember(history, merchantState, forget);
        return;
      }
      pending.add(element.getValue());
      long time = element.getValue().getEventTime();
      Long flushAt = flushAtState.read();
      if (flushAt == null || time < flushAt) {
        // The output timestamp holds the watermark: what follows this step stays behind it.
        flush.withOutputTimestamp(new Instant(time)).set(new Instant(time));
        flushAtState.write(time);
      }
    }

    private void remember(MerchantHistory history, ValueState<MerchantHistory> merchantState, Timer forget) {
      merchantState.write(history);
      forget.set(new Instant(history.latestTime()).plus(inactivityTtl));
    }

    @OnTimer("flush")
    public void onFlush(
        OnTimerContext context,
        @StateId("merchant") ValueState<MerchantHistory> merchantState,
        @StateId("pending") BagState<CustomerFeatures> pending,
        @StateId("flushAt") ValueState<Long> flushAtState,
        @TimerId("flush") Timer flush,
        @TimerId("forget") Timer forget) {
      // The watermark has passed the timer's time: no payment at or before it is still to come
      // (a later one is late, and takes its turn with the next flush).
      long watermarkPassed = context.fireTimestamp().getMillis();
      List<CustomerFeatures> ready = new ArrayList<>();
      List<CustomerFeatures> waiting = new ArrayList<>();
      pending.read().forEach(f -> (f.getEventTime() <= watermarkPassed ? ready : waiting).add(f));
      ready.sort(EVENT_TIME_ORDER);
      MerchantHistory stored = merchantState.read();
      // Never change the object read from state (see ComputeCustomerFeatures).
      MerchantHistory history = stored == null ? new MerchantHistory() : stored.copy();
      for (CustomerFeatures payment : ready) {
        context.outputWithTimestamp(history.addPayment(payment), new Instant(payment.getEventTime()));
      }
      remember(history, merchantState, forget);
      pending.clear();
      waiting.forEach(pending::add);
      if (waiting.isEmpty()) {
        flushAtState.clear();
      } else {
        long next = waiting.stream().mapToLong(CustomerFeatures::getEventTime).min().getAsLong();
        flush.withOutputTimestamp(new Instant(next)).set(new Instant(next));
        flushAtState.write(next);
      }
    }

    @OnTimer("forget")
    public void onForget(@StateId("merchant") ValueState<MerchantHistory> merchantState) {
      merchantState.clear();
      expired.inc();
    }
  }
}
