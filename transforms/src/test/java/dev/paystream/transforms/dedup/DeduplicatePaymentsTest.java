package dev.paystream.transforms.dedup;

import static dev.paystream.transforms.TestPayments.T0;
import static dev.paystream.transforms.TestPayments.at;

import dev.paystream.schemas.PaymentEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/**
 * Retention is measured in arrival (processing) time: a backfill's event times come in any order,
 * and the watermark may run ahead of them, while re-sends follow their original in arrival order.
 */
public class DeduplicatePaymentsTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final Duration RETENTION = Duration.standardMinutes(10);
  private static final long WEEK = Duration.standardDays(7).getMillis();

  private static PaymentEvent payment(String id, String customer, long eventTime) {
    return at(id, customer, eventTime, 100);
  }

  private static TimestampedValue<PaymentEvent> arriving(PaymentEvent payment) {
    return TimestampedValue.of(payment, new Instant(payment.getEventTime()));
  }

  /** 200 payments of 5 customers, event times in random order over 7 days. */
  private static List<PaymentEvent> backfill(long seed) {
    Random random = new Random(seed);
    List<PaymentEvent> payments = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      payments.add(payment("tx" + i, "cust_" + (i % 5), T0 + (long) (random.nextDouble() * WEEK)));
    }
    Collections.shuffle(payments, random);
    return payments;
  }

  @Test
  public void dropsReSendsWithinTheRetentionWhateverTheEventTimeOrder() {
    List<PaymentEvent> payments = backfill(1);
    TestStream.Builder<PaymentEvent> stream = TestStream.create(AvroCoder.of(PaymentEvent.class));
    // Each payment is re-sent 5 payments (and 5 minutes of arrival time) later; the watermark
    // follows the newest event time, days ahead of most payments.
    long newest = Long.MIN_VALUE;
    for (int i = 0; i < payments.size(); i++) {
      stream = stream.addElements(arriving(payments.get(i)));
      if (i >= 5) {
        stream = stream.addElements(arriving(payments.get(i - 5)));
      }
      newest = Math.max(newest, payments.get(i).getEventTime());
      stream = stream.advanceWatermarkTo(new Instant(newest)).advanceProcessingTime(Duration.standardMinutes(1));
    }

    PCollection<PaymentEvent> unique =
        pipeline.apply(stream.advanceWatermarkToInfinity()).apply(DeduplicatePayments.within(RETENTION));

    PAssert.that(unique).containsInAnyOrder(payments);
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void reSendsArrivingLaterThanTheRetentionPass() {
    PaymentEvent a = payment("a", "cust_1", T0 + 3 * WEEK / 4);
    PaymentEvent b = payment("b", "cust_1", T0);
    PaymentEvent c = payment("c", "cust_2", T0 + WEEK / 2);
    TestStream<PaymentEvent> stream =
        TestStream.create(AvroCoder.of(PaymentEvent.class))
            .addElements(arriving(a), arriving(c))
            .advanceProcessingTime(RETENTION.minus(Duration.standardSeconds(1)))
            // Within the retention of "a" and "c": dropped. "b" is new.
            .addElements(arriving(a), arriving(b), arriving(c))
            .advanceProcessingTime(Duration.standardMinutes(4))
            // 13 min 59 s after "a" and "c": past the retention, they pass. 4 min after "b": dropped.
            .addElements(arriving(a), arriving(b), arriving(c))
            .advanceProcessingTime(RETENTION.multipliedBy(2))
            // Long after everything, including the "a" seen again: all pass.
            .addElements(arriving(a), arriving(b))
            .advanceWatermarkToInfinity();

    PCollection<PaymentEvent> unique = pipeline.apply(stream).apply(DeduplicatePayments.within(RETENTION));

    PAssert.that(unique).containsInAnyOrder(a, c, b, a, c, a, b);
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void aBusyCustomersOldIdsExpireWhileItKeepsPaying() {
    TestStream.Builder<PaymentEvent> stream = TestStream.create(AvroCoder.of(PaymentEvent.class));
    List<PaymentEvent> expected = new ArrayList<>();
    // One new payment a minute for 30 minutes, event times going backwards; "first" is re-sent at
    // minute 30, long after the retention.
    PaymentEvent first = payment("first", "cust_1", T0);
    stream = stream.addElements(arriving(first));
    expected.add(first);
    for (int minute = 1; minute <= 30; minute++) {
      PaymentEvent next = payment("tx" + minute, "cust_1", T0 - minute * 60_000L);
      stream = stream.advanceProcessingTime(Duration.standardMinutes(1)).addElements(arriving(next));
      expected.add(next);
    }
    stream = stream.addElements(arriving(first));
    expected.add(first);

    PCollection<PaymentEvent> unique =
        pipeline.apply(stream.advanceWatermarkToInfinity()).apply(DeduplicatePayments.within(RETENTION));

    PAssert.that(unique).containsInAnyOrder(expected);
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void dropsIdsThePreviousProcessAlreadyDecided() {
    PaymentEvent decided = payment("decided", "cust_1", T0);
    PaymentEvent fresh = payment("fresh", "cust_1", T0 + 1);
    TestStream<PaymentEvent> stream =
        TestStream.create(AvroCoder.of(PaymentEvent.class))
            .addElements(arriving(decided), arriving(fresh), arriving(fresh))
            .advanceWatermarkToInfinity();
    Set<String> decidedBefore = Set.of("decided");

    PCollection<PaymentEvent> unique =
        pipeline
            .apply(stream)
            .apply(DeduplicatePayments.within(RETENTION).withAlreadyDecided(decidedBefore::contains));

    PAssert.that(unique).containsInAnyOrder(fresh);
    pipeline.run().waitUntilFinish();
  }
}
