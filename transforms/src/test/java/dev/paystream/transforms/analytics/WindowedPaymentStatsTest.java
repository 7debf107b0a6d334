package dev.paystream.transforms.analytics;

import static dev.paystream.schemas.PaneTiming.EARLY;
import static dev.paystream.schemas.PaneTiming.LATE;
import static dev.paystream.schemas.PaneTiming.ON_TIME;
import static dev.paystream.transforms.analytics.AnalyticsTesting.arrival;
import static dev.paystream.transforms.analytics.AnalyticsTesting.droppedByRunner;
import static dev.paystream.transforms.analytics.AnalyticsTesting.lateDeadLetters;
import static dev.paystream.transforms.analytics.AnalyticsTesting.minute;
import static dev.paystream.transforms.analytics.AnalyticsTesting.missed;
import static dev.paystream.transforms.analytics.AnalyticsTesting.payment;
import static dev.paystream.transforms.analytics.AnalyticsTesting.pane;
import static dev.paystream.transforms.analytics.AnalyticsTesting.window;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.junit.Assert.assertEquals;

import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.MerchantCategory;
import dev.paystream.schemas.MerchantTotal;
import dev.paystream.schemas.PaneTiming;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentStats;
import dev.paystream.schemas.PaymentStatus;
import dev.paystream.schemas.StatsDimension;
import dev.paystream.schemas.WindowPane;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;

/**
 * Early, on-time, late and too-late panes for each window kind, with every statistic checked by
 * value. Amounts are chosen so nearest-rank percentiles are easy to verify by hand: for n sorted
 * amounts, p is the ⌈p·n/100⌉-th.
 */
public class WindowedPaymentStatsTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final Duration ONE_MINUTE = Duration.standardMinutes(1);
  private static final Duration LATENESS = Duration.standardMinutes(5);
  private static final String STAGE = "stats_by_merchant";

  private static PaymentEvent.Builder declined(PaymentEvent.Builder payment) {
    return payment.setStatus(PaymentStatus.DECLINED);
  }

  /** merch_1's statistics in {@code window} as of one pane; the mean follows from sum and count. */
  private static PaymentStats merchant1(
      IntervalWindow window,
      PaneTiming timing,
      long index,
      long count,
      long sum,
      long p50,
      long p95,
      long p99,
      long customers,
      double declineRate) {
    return PaymentStats.newBuilder()
        .setDimension(StatsDimension.MERCHANT)
        .setKey("merch_1")
        .setWindow(pane(window, timing, index))
        .setPaymentCount(count)
        .setAmountSum(sum)
        .setAmountMean((double) sum / count)
        .setAmountP50(p50)
        .setAmountP95(p95)
        .setAmountP99(p99)
        .setDistinctCustomers(customers)
        .setDeclineRate(declineRate)
        .build();
  }

  private PCollectionTuple statsByMerchant(TestStream<PaymentEvent> payments, PaymentWindowing windowing) {
    return pipeline.apply(payments).apply(WindowedPaymentStats.of(StatsDimension.MERCHANT, windowing));
  }

  /**
   * The dead letters are exactly these {@link AnalyticsTesting#missed} descriptions. They are
   * flattened with dead letters in the default windowing first, as the pipeline will do with the
   * validation stage's: that must not fail.
   */
  private static void assertMissed(PCollectionTuple result, String... expected) {
    PCollection<DeadLetter> otherDeadLetters =
        result.getPipeline().apply("OtherDeadLetters", Create.empty(AvroCoder.of(DeadLetter.class)));
    PCollection<DeadLetter> allDeadLetters =
        PCollectionList.of(result.get(WindowedPaymentStats.DEAD_LETTERS))
            .and(otherDeadLetters)
            .apply(Flatten.pCollections());
    PAssert.that(allDeadLetters)
        .satisfies(
            deadLetters -> {
              assertThat(missed(deadLetters, STAGE), containsInAnyOrder(expected));
              return null;
            });
  }

  private static void assertOnlyLateDataWasDeadLettered(PipelineResult result, long expectedLate) {
    assertEquals("LATE dead letters counted", expectedLate, lateDeadLetters(result));
    assertEquals("dropped by the runner without a dead letter", 0, droppedByRunner(result));
  }

  @Test
  public void tumblingWindowPanes() {
    IntervalWindow first = window(0, 10);
    IntervalWindow second = window(10, 20);
    TestStream<PaymentEvent> payments =
        TestStream.create(AvroCoder.of(PaymentEvent.class))
            .advanceWatermarkTo(minute(0))
            .addElements(arrival(payment("p1", "c1", 1, 100)), arrival(declined(payment("p2", "c2", 2, 300))))
            // A minute after the pane's first payment: EARLY pane.
            .advanceProcessingTime(Duration.standardMinutes(2))
            .addElements(arrival(payment("p3", "c1", 5, 200)))
            // Past the window end: ON_TIME pane.
            .advanceWatermarkTo(minute(10))
            // Behind the watermark, within the lateness: LATE pane.
            .addElements(arrival(payment("p4", "c3", 8, 400)))
            // The first window closed at 10:14:59.999.
            .advanceWatermarkTo(minute(16))
            .addElements(arrival(payment("p5", "c4", 9, 999)), arrival(payment("p6", "c1", 17, 50)))
            .advanceWatermarkToInfinity();

    PCollectionTuple result =
        statsByMerchant(
            payments,
            PaymentWindowing.tumbling(Duration.standardMinutes(10))
                .withEarlyFirings(ONE_MINUTE)
                .withAllowedLateness(LATENESS));

    PAssert.that(result.get(WindowedPaymentStats.STATS))
        .inWindow(first)
        .containsInAnyOrder(
            merchant1(first, EARLY, 0, 2, 400, 100, 300, 300, 2, 0.5),
            merchant1(first, ON_TIME, 1, 3, 600, 200, 300, 300, 2, 1.0 / 3),
            merchant1(first, LATE, 2, 4, 1000, 200, 400, 400, 3, 0.25));
    PAssert.that(result.get(WindowedPaymentStats.STATS))
        .inWindow(second)
        .containsInAnyOrder(merchant1(second, ON_TIME, 0, 1, 50, 50, 50, 50, 1, 0));
    assertMissed(result, missed("p5", first));
    assertOnlyLateDataWasDeadLettered(pipeline.run(), 1);
  }

  @Test
  public void slidingWindowPanesIncludingAPaymentTooLateForOnlyOneOfItsWindows() {
    IntervalWindow w1 = window(0, 10);
    IntervalWindow w2 = window(5, 15);
    IntervalWindow w3 = window(10, 20);
    TestStream<PaymentEvent> payments =
        TestStream.create(AvroCoder.of(PaymentEvent.class))
            .advanceWatermarkTo(minute(0))
            // In w1 and w2.
            .addElements(arrival(payment("p1", "c1", 6, 100)), arrival(declined(payment("p2", "c2", 7, 300))))
            .advanceProcessingTime(Duration.standardMinutes(2))
            // w1 ON_TIME: nothing new since its EARLY pane, the same figures again.
            .advanceWatermarkTo(minute(10))
            // Late for w1, on time for w2.
            .addElements(arrival(payment("p3", "c1", 8, 200)))
            // w2 ON_TIME; w1 closed at 10:14:59.999.
            .advanceWatermarkTo(minute(15))
            // Too late for w1, late but accepted for w2.
            .addElements(arrival(payment("p4", "c3", 9, 400)))
            // w2 closed at 10:19:59.999; w3 is past its end but open until 10:24:59.999.
            .advanceWatermarkTo(minute(21))
            // Too late for w2; late for w3, whose first pane it makes.
            .addElements(arrival(payment("p5", "c4", 12, 999)))
            .advanceWatermarkToInfinity();

    PCollectionTuple result =
        statsByMerchant(
            payments,
            PaymentWindowing.sliding(Duration.standardMinutes(10), Duration.standardMinutes(5))
                .withEarlyFirings(ONE_MINUTE)
                .withAllowedLateness(LATENESS));

    PAssert.that(result.get(WindowedPaymentStats.STATS))
        .inWindow(w1)
        .containsInAnyOrder(
            merchant1(w1, EARLY, 0, 2, 400, 100, 300, 300, 2, 0.5),
            merchant1(w1, ON_TIME, 1, 2, 400, 100, 300, 300, 2, 0.5),
            merchant1(w1, LATE, 2, 3, 600, 200, 300, 300, 2, 1.0 / 3));
    PAssert.that(result.get(WindowedPaymentStats.STATS))
        .inWindow(w2)
        .containsInAnyOrder(
            merchant1(w2, EARLY, 0, 2, 400, 100, 300, 300, 2, 0.5),
            merchant1(w2, ON_TIME, 1, 3, 600, 200, 300, 300, 2, 1.0 / 3),
            merchant1(w2, LATE, 2, 4, 1000, 200, 400, 400, 3, 0.25));
    PAssert.that(result.get(WindowedPaymentStats.STATS))
        .inWindow(w3)
        .containsInAnyOrder(merchant1(w3, LATE, 0, 1, 999, 999, 999, 999, 1, 0));
    assertMissed(result, missed("p4", w1), missed("p5", w2));
    assertOnlyLateDataWasDeadLettered(pipeline.run(), 2);
  }

  @Test
  public void sessionWindowPanes() {
    IntervalWindow morning = window(0, 14);
    IntervalWindow later = window(30, 40);
    TestStream<PaymentEvent> payments =
        TestStream.create(AvroCoder.of(PaymentEvent.class))
            .advanceWatermarkTo(minute(0))
            // One session: [10:00, 10:14).
            .addElements(arrival(payment("p1", "c1", 0, 100)), arrival(declined(payment("p2", "c2", 4, 300))))
            .advanceProcessingTime(Duration.standardMinutes(2))
            // A session of its own: [10:30, 10:40).
            .addElements(arrival(payment("p3", "c1", 30, 50)))
            .advanceWatermarkTo(minute(16))
            // Its own window [10:03, 10:13) is open until 10:17:59.999; it falls inside the first session.
            .addElements(arrival(payment("p4", "c3", 3, 200)))
            .advanceWatermarkTo(minute(19))
            // Its own window [10:02, 10:12) closed at 10:16:59.999.
            .addElements(arrival(payment("p5", "c4", 2, 999)))
            .advanceWatermarkToInfinity();

    PCollectionTuple result =
        statsByMerchant(
            payments,
            PaymentWindowing.sessions(Duration.standardMinutes(10))
                .withEarlyFirings(ONE_MINUTE)
                .withAllowedLateness(LATENESS));

    PAssert.that(result.get(WindowedPaymentStats.STATS))
        .inWindow(morning)
        .containsInAnyOrder(
            merchant1(morning, EARLY, 0, 2, 400, 100, 300, 300, 2, 0.5),
            merchant1(morning, ON_TIME, 1, 2, 400, 100, 300, 300, 2, 0.5),
            merchant1(morning, LATE, 2, 3, 600, 200, 300, 300, 3, 1.0 / 3));
    PAssert.that(result.get(WindowedPaymentStats.STATS))
        .inWindow(later)
        .containsInAnyOrder(merchant1(later, ON_TIME, 0, 1, 50, 50, 50, 50, 1, 0));
    assertMissed(result, missed("p5", window(2, 12)));
    assertOnlyLateDataWasDeadLettered(pipeline.run(), 1);
  }

  @Test
  public void selectedStatisticsOnlyAndTopMerchantsPerCategory() {
    TestStream<PaymentEvent> payments =
        TestStream.create(AvroCoder.of(PaymentEvent.class))
            .advanceWatermarkTo(minute(0))
            .addElements(
                arrival(payment("p1", "c1", 1, 500).setMerchantId("m_a")),
                arrival(payment("p2", "c2", 2, 300).setMerchantId("m_b")),
                arrival(payment("p3", "c3", 3, 400).setMerchantId("m_b")),
                arrival(payment("p4", "c4", 4, 600).setMerchantId("m_c")),
                // Ties m_c at 600; the smaller id ranks first.
                arrival(payment("p5", "c5", 5, 600).setMerchantId("m_0")),
                arrival(
                    payment("p6", "c6", 6, 100).setMerchantId("m_d").setMerchantCategory(MerchantCategory.GOVERNMENT)))
            .advanceWatermarkToInfinity();

    PCollectionTuple result =
        pipeline
            .apply(payments)
            .apply(
                WindowedPaymentStats.of(
                        StatsDimension.MERCHANT_CATEGORY, PaymentWindowing.tumbling(Duration.standardHours(1)))
                    .withStatistics(PaymentStatistic.COUNT, PaymentStatistic.PERCENTILES)
                    .withTopMerchants(3));

    WindowPane hour =
        WindowPane.newBuilder()
            .setStart(minute(0).getMillis())
            .setEnd(minute(60).getMillis())
            .setTiming(ON_TIME)
            .setIndex(0)
            .build();
    PAssert.that(result.get(WindowedPaymentStats.STATS))
        .containsInAnyOrder(
            PaymentStats.newBuilder()
                .setDimension(StatsDimension.MERCHANT_CATEGORY)
                .setKey("RETAIL")
                .setWindow(hour)
                .setPaymentCount(5L)
                .setAmountP50(500L)
                .setAmountP95(600L)
                .setAmountP99(600L)
                .setTopMerchants(
                    List.of(
                        new MerchantTotal("m_b", 2L, 700L),
                        new MerchantTotal("m_0", 1L, 600L),
                        new MerchantTotal("m_c", 1L, 600L)))
                .build(),
            PaymentStats.newBuilder()
                .setDimension(StatsDimension.MERCHANT_CATEGORY)
                .setKey("GOVERNMENT")
                .setWindow(hour)
                .setPaymentCount(1L)
                .setAmountP50(100L)
                .setAmountP95(100L)
                .setAmountP99(100L)
                .setTopMerchants(List.of(new MerchantTotal("m_d", 1L, 100L)))
                .build());
    assertOnlyLateDataWasDeadLettered(pipeline.run(), 0);
  }
}
