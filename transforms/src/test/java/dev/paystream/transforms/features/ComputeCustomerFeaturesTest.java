package dev.paystream.transforms.features;

import static dev.paystream.transforms.TestPayments.T0;
import static dev.paystream.transforms.TestPayments.at;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.PaymentEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

public class ComputeCustomerFeaturesTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final long MINUTE = 60_000;
  private static final long HOUR = 60 * MINUTE;

  private static TimestampedValue<PaymentEvent> pay(String id, String customer, long offset, long amount) {
    return TimestampedValue.of(at(id, customer, T0 + offset, amount), new Instant(T0 + offset));
  }

  private static Map<String, CustomerFeatures> byTransaction(Iterable<CustomerFeatures> all) {
    Map<String, CustomerFeatures> map = new HashMap<>();
    all.forEach(f -> map.put(f.getTransactionId(), f));
    return map;
  }

  @Test
  public void countsAndSumsRespectWindowEdgesAndOutOfOrderArrival() {
    TestStream<PaymentEvent> stream =
        TestStream.create(AvroCoder.of(PaymentEvent.class))
            .advanceWatermarkTo(new Instant(T0))
            .addElements(pay("p1", "alice", 0, 100), pay("p2", "alice", 2 * MINUTE, 200))
            // Exactly 5 minutes after p1: p1 is outside (t-5m, t].
            .addElements(pay("p3", "alice", 5 * MINUTE, 300))
            // Arrives after p3 but happened before it: must not count p3.
            .addElements(pay("p0", "alice", MINUTE, 50))
            .addElements(pay("q1", "bob", 3 * MINUTE, 1_000))
            .addElements(pay("p4", "alice", 25 * HOUR, 400))
            .advanceWatermarkToInfinity();

    PCollection<CustomerFeatures> features =
        pipeline.apply(stream).apply(ComputeCustomerFeatures.create().withMinHistory(3));

    PAssert.that(features)
        .satisfies(
            all -> {
              Map<String, CustomerFeatures> f = byTransaction(all);
              assertEquals(6, f.size());
              assertEquals(1, (int) f.get("p1").getPaymentsLast5m());
              assertNull(f.get("p1").getSecondsSincePrevious());
              assertEquals(2, (int) f.get("p2").getPaymentsLast5m());
              assertEquals(120.0, f.get("p2").getSecondsSincePrevious(), 0);
              assertEquals(300L, f.get("p2").getAmountSum24h());
              assertEquals(2, (int) f.get("p3").getPaymentsLast5m());
              assertEquals(3, (int) f.get("p3").getPaymentsLast1h());
              assertEquals(600L, f.get("p3").getAmountSum24h());
              // p0 (t = 1m) sees p1 (0m) only, and itself.
              assertEquals(2, (int) f.get("p0").getPaymentsLast5m());
              assertEquals(150L, f.get("p0").getAmountSum24h());
              assertEquals(60.0, f.get("p0").getSecondsSincePrevious(), 0);
              // bob is independent of alice.
              assertEquals(1, (int) f.get("q1").getPaymentsLast1h());
              assertEquals(0L, f.get("q1").getHistoryCount());
              // A day later the earlier payments have left every window, not the history.
              CustomerFeatures p4 = f.get("p4");
              assertEquals(1, (int) p4.getPaymentsLast1h());
              assertEquals(400L, p4.getAmountSum24h());
              assertEquals(4L, p4.getHistoryCount());
              assertEquals(25 * 3600.0 - 300.0, p4.getSecondsSincePrevious(), 0);
              assertEquals(162.5, p4.getAmountMean(), 1e-9);
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void zscoreAndUnusualHourNeedHistoryThenFlagOutliers() {
    TestStream.Builder<PaymentEvent> stream =
        TestStream.create(AvroCoder.of(PaymentEvent.class)).advanceWatermarkTo(new Instant(T0));
    // Ten daytime payments of 100 or 120, one per day at 10:00 UTC.
    for (int day = 0; day < 10; day++) {
      stream = stream.addElements(pay("d" + day, "carol", day * 24 * HOUR, day % 2 == 0 ? 100 : 120));
    }
    // Day 10 at 03:00 UTC (17 hours after 10:00 on day 9), ten times the usual amount.
    long night = 9 * 24 * HOUR + 17 * HOUR;
    stream = stream.addElements(pay("night", "carol", night, 1_100));

    PCollection<CustomerFeatures> features =
        pipeline.apply(stream.advanceWatermarkToInfinity()).apply(ComputeCustomerFeatures.create().withMinHistory(10));

    PAssert.that(features)
        .satisfies(
            all -> {
              Map<String, CustomerFeatures> f = byTransaction(all);
              CustomerFeatures ninth = f.get("d9");
              assertEquals(9L, ninth.getHistoryCount());
              assertEquals("z-score is silent below min history", 0.0, ninth.getAmountZscore(), 0);
              assertFalse(ninth.getUnusualHour());
              CustomerFeatures nightly = f.get("night");
              assertEquals(3, (int) nightly.getHourOfDay());
              assertTrue(nightly.getUnusualHour());
              assertEquals(110.0, nightly.getAmountMean(), 1e-9);
              // sample stddev of five 100s and five 120s = sqrt(1000/9)
              double stddev = Math.sqrt(1000.0 / 9);
              assertEquals(stddev, nightly.getAmountStddev(), 1e-9);
              assertEquals((1_100 - 110.0) / stddev, nightly.getAmountZscore(), 1e-9);
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void inactiveCustomersAreForgottenByTimer() {
    TestStream<PaymentEvent> stream =
        TestStream.create(AvroCoder.of(PaymentEvent.class))
            .advanceWatermarkTo(new Instant(T0))
            .addElements(pay("a1", "dave", 0, 100), pay("a2", "dave", MINUTE, 100))
            // Past the 2-hour TTL: the timer clears dave's history.
            .advanceWatermarkTo(new Instant(T0 + 3 * HOUR))
            .addElements(pay("a3", "dave", 3 * HOUR + MINUTE, 100))
            .advanceWatermarkToInfinity();

    PCollection<CustomerFeatures> features =
        pipeline
            .apply(stream)
            .apply(ComputeCustomerFeatures.create().withInactivityTtl(Duration.standardHours(2)));

    PAssert.that(features)
        .satisfies(
            all -> {
              Map<String, CustomerFeatures> f = byTransaction(all);
              assertEquals(1L, f.get("a2").getHistoryCount());
              assertEquals(0L, f.get("a3").getHistoryCount());
              assertNull(f.get("a3").getSecondsSincePrevious());
              return null;
            });
    pipeline.run().waitUntilFinish();
  }
  /**
   * A backfill (bounded input) hands a keyed step a customer's payments in any order; the features
   * must still be those of the payments before each one, as on a stream in order: here the input
   * is in reverse, so a step computing in arrival order would see every later payment.
   */
  @Test
  public void boundedInputIsComputedInEventTimeOrder() {
    List<TimestampedValue<PaymentEvent>> newestFirst = new ArrayList<>();
    for (int i = 29; i >= 0; i--) {
      newestFirst.add(pay("p" + i, "alice", i * HOUR, 100 + 10 * i));
    }
    // 31 days after the last one: the inactivity TTL (30 days) has forgotten alice.
    newestFirst.add(0, pay("back", "alice", 29 * HOUR + 31 * 24 * HOUR, 500));

    PCollection<CustomerFeatures> features =
        pipeline
            .apply(Create.timestamped(newestFirst).withCoder(AvroCoder.of(PaymentEvent.class)))
            .apply(ComputeCustomerFeatures.create().withMinHistory(3));

    PAssert.that(features)
        .satisfies(
            all -> {
              Map<String, CustomerFeatures> f = byTransaction(all);
              assertEquals(31, f.size());
              for (int i = 0; i < 30; i++) {
                CustomerFeatures p = f.get("p" + i);
                assertEquals("p" + i, i, (long) p.getHistoryCount());
                // The mean of 100, 110, ... over the i payments before it.
                assertEquals("p" + i, i == 0 ? 0.0 : 100 + 5.0 * (i - 1), p.getAmountMean(), 1e-9);
                // Hourly payments: the hour before holds only itself; the day, itself and the 23 before.
                assertEquals("p" + i, 1, (int) p.getPaymentsLast1h());
                long daySum = 0;
                for (int j = Math.max(0, i - 23); j <= i; j++) {
                  daySum += 100 + 10 * j;
                }
                assertEquals("p" + i, daySum, (long) p.getAmountSum24h());
              }
              assertEquals(0L, (long) f.get("back").getHistoryCount());
              return null;
            });
    pipeline.run().waitUntilFinish();
  }
}
