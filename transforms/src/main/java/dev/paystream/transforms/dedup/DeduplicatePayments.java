package dev.paystream.transforms.dedup;

import dev.paystream.schemas.metrics.PaystreamMetrics;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.transforms.state.PaymentCoder;
import dev.paystream.transforms.state.StateCoders;
import java.io.Serializable;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
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
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Drops repeated payments: a payment whose transaction id the same customer used in a payment
 * that <em>arrived</em> here at most {@code retention} earlier (processing time), whatever the two
 * payments' event times. Producers re-send in arrival order, while a backfill arrives in any
 * event-time order, so a retention in event time (trimmed against the newest event time, or
 * forgotten on the watermark) forgets ids that a re-send repeats.
 *
 * <p>State is kept per customer, not per transaction id as Beam's {@code Deduplicate} does: a
 * timer per id means one key and one timer per payment, and the DirectRunner scans every pending
 * timer's key on each step (we measured 18 payments/s at 3,000 payments). Per customer there is
 * one map of recent ids to the processing time they arrived at, and one processing-time timer that
 * forgets the ids older than {@code retention}. The timer is set {@code retention / }{@value
 * #SLACK_FRACTION} later than the oldest id's expiry, so that a busy customer's timer fires once
 * per that slack rather than once per payment: an id is remembered for at least {@code retention}
 * and at most {@code retention × (1 + 1/}{@value #SLACK_FRACTION}{@code )} of arrival time. State
 * is bounded by that span times the arrival rate; a customer without recent payments holds none.
 * The clock is the runner's processing time ({@link Timer#getCurrentRelativeTime()}): a
 * TestStream's in tests, restored timers on Flink.
 *
 * <p>State and the keyed payments use versioned coders ({@link StateCoders}): Beam's Flink runner
 * never migrates state (a changed coder mis-reads it silently), so every layout carries its version
 * and a new release reads the old ones. A change of what the state <em>means</em> still takes a new
 * state id, as this version's {@code arrivals} did when the event-time map {@code seen} was
 * retired. The step names ({@code DropRepeatedTransactionIds}) are savepoint keys: see {@code
 * StatefulStepNamesIT}.
 *
 * <p>An optional {@link #withAlreadyDecided lookup} names transaction ids decided before this
 * state existed (by a previous process whose state is lost): those are dropped too.
 *
 * <p>Counters (namespace {@value #METRICS_NAMESPACE}): {@code duplicates}, repeats dropped by the
 * state; {@code already_decided}, payments dropped because the lookup knew them.
 */
public class DeduplicatePayments extends PTransform<PCollection<PaymentEvent>, PCollection<PaymentEvent>> {
  public static final String METRICS_NAMESPACE = "dedup";

  /** Forgetting waits up to {@code retention / SLACK_FRACTION} longer, to batch timer firings. */
  static final int SLACK_FRACTION = 4;

  private final Duration retention;
  private final SerializableFunction<String, Boolean> alreadyDecided;
  private final PaymentCoder paymentCoder;

  private DeduplicatePayments(
      Duration retention, SerializableFunction<String, Boolean> alreadyDecided, PaymentCoder paymentCoder) {
    this.retention = retention;
    this.alreadyDecided = alreadyDecided;
    this.paymentCoder = paymentCoder;
  }

  /**
   * A repeat is recognised when it arrives at most {@code retention} after the payment it repeats
   * (forgotten by {@code retention × 1.25}); pick a retention longer than any producer's re-send.
   */
  public static DeduplicatePayments within(Duration retention) {
    if (retention.getMillis() < SLACK_FRACTION) {
      throw new IllegalArgumentException("retention must be at least " + SLACK_FRACTION + " ms, got " + retention);
    }
    return new DeduplicatePayments(retention, null, PaymentCoder.COMPACT);
  }

  /**
   * Also drops a payment whose transaction id {@code lookup} returns true for, though this step's
   * state never saw it: ids a previous process decided (and whose output is committed) before it
   * died with its state. The lookup is called once per payment the state does not know, so it
   * must be fast (an in-memory set, loaded once per JVM) and serializable.
   */
  public DeduplicatePayments withAlreadyDecided(SerializableFunction<String, Boolean> lookup) {
    if (lookup == null) {
      throw new IllegalArgumentException("lookup must not be null");
    }
    return new DeduplicatePayments(retention, lookup, paymentCoder);
  }

  /** The layout of the keyed payments ({@link StateCoders#payments}); compact by default. */
  public DeduplicatePayments withPaymentCoder(PaymentCoder coder) {
    return new DeduplicatePayments(retention, alreadyDecided, coder);
  }

  @Override
  public PCollection<PaymentEvent> expand(PCollection<PaymentEvent> payments) {
    return payments
        .apply("KeyByCustomer", WithKeys.of(PaymentEvent::getCustomerId).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), StateCoders.payments(paymentCoder)))
        .apply("DropRepeatedTransactionIds", ParDo.of(new DropRepeatsFn(repeatFilter())))
        .setCoder(StateCoders.payments(paymentCoder));
  }

  /**
   * What this step does per customer, for a DoFn that declares its state: this step's, or one that
   * also computes the customer's features in the same keyed step (a prototype, see {@code
   * DeduplicateAndComputeFeatures}).
   */
  public RepeatFilter repeatFilter() {
    return new RepeatFilter(retention.getMillis(), alreadyDecided);
  }

  private static class DropRepeatsFn extends DoFn<KV<String, PaymentEvent>, PaymentEvent> {
    private final RepeatFilter repeats;

    @StateId("arrivals")
    private final StateSpec<ValueState<Map<String, Long>>> arrivalsSpec = RepeatFilter.arrivalsSpec();

    @TimerId("forget")
    private final TimerSpec forgetSpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

    DropRepeatsFn(RepeatFilter repeats) {
      this.repeats = repeats;
    }

    @ProcessElement
    public void process(
        @Element KV<String, PaymentEvent> element,
        @StateId("arrivals") ValueState<Map<String, Long>> arrivalsState,
        @TimerId("forget") Timer forget,
        OutputReceiver<PaymentEvent> out) {
      if (repeats.admit(element.getValue().getTransactionId(), arrivalsState, forget)) {
        out.output(element.getValue());
      }
    }

    @OnTimer("forget")
    public void onForget(
        @StateId("arrivals") ValueState<Map<String, Long>> arrivalsState, @TimerId("forget") Timer forget) {
      repeats.forget(arrivalsState, forget);
    }
  }

  /**
   * The customer's recently arrived transaction ids (state {@code arrivals}) and the
   * processing-time timer that forgets them: whether a payment is new, and the forgetting.
   */
  public static final class RepeatFilter implements Serializable {
    private final long retentionMillis;
    private final SerializableFunction<String, Boolean> alreadyDecided;
    private final Counter duplicates = Metrics.counter(METRICS_NAMESPACE, "duplicates");
    private final Counter decidedBefore = Metrics.counter(METRICS_NAMESPACE, "already_decided");

    RepeatFilter(long retentionMillis, SerializableFunction<String, Boolean> alreadyDecided) {
      this.retentionMillis = retentionMillis;
      this.alreadyDecided = alreadyDecided;
    }

    /** Transaction id to the processing time it arrived at, for the customer's recent payments. */
    public static StateSpec<ValueState<Map<String, Long>>> arrivalsSpec() {
      return StateSpecs.value(StateCoders.arrivals());
    }

    /**
     * Whether the payment {@code id} is to be passed on (neither a repeat nor already decided);
     * remembers its arrival either way, setting {@code forget} (a processing-time timer) if needed.
     */
    public boolean admit(String id, ValueState<Map<String, Long>> arrivalsState, Timer forget) {
      Map<String, Long> stored = arrivalsState.read();
      long now = forget.getCurrentRelativeTime().getMillis();
      // Also checks the arrival: the timer may not have fired yet for an id past the retention.
      Long arrived = stored == null ? null : stored.get(id);
      if (arrived != null && now - arrived <= retentionMillis) {
        duplicates.inc();
        PaystreamMetrics.DUPLICATES.labelValues(PaystreamMetrics.DUPLICATE).inc();
        return false;
      }
      boolean decided = alreadyDecided != null && Boolean.TRUE.equals(alreadyDecided.apply(id));
      // A copy: the runner's state may be snapshotted while we work (Flink with --fasterCopy).
      Map<String, Long> arrivals = stored == null ? new HashMap<>() : new HashMap<>(stored);
      if (arrivals.isEmpty()) {
        // No output timestamp: the timer outputs nothing, and a processing-time timer's default
        // output timestamp (the element's) would hold the event-time watermark until it fires,
        // stopping every window downstream for the whole retention.
        forget.withNoOutputTimestamp().set(new Instant(expiry(now)));
      }
      arrivals.put(id, now);
      arrivalsState.write(arrivals);
      if (decided) {
        decidedBefore.inc();
        PaystreamMetrics.DUPLICATES.labelValues(PaystreamMetrics.ALREADY_DECIDED).inc();
        return false;
      }
      return true;
    }

    /** When {@code forget} fires: drops the ids past the retention, and sets it for the oldest left. */
    public void forget(ValueState<Map<String, Long>> arrivalsState, Timer forget) {
      long now = forget.getCurrentRelativeTime().getMillis();
      Map<String, Long> stored = arrivalsState.read();
      Map<String, Long> arrivals = stored == null ? new HashMap<>() : new HashMap<>(stored);
      arrivals.values().removeIf(arrived -> now - arrived > retentionMillis);
      if (arrivals.isEmpty()) {
        arrivalsState.clear();
        return;
      }
      arrivalsState.write(arrivals);
      forget.withNoOutputTimestamp().set(new Instant(expiry(Collections.min(arrivals.values()))));
    }

    /** When an id that arrived at {@code arrived} may be forgotten, with the slack that batches firings. */
    private long expiry(long arrived) {
      return arrived + retentionMillis + retentionMillis / SLACK_FRACTION;
    }
  }
}
