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
import static org.junit.Assert.assertThrows;

import dev.paystream.schemas.CustomerSession;
import dev.paystream.schemas.PaneTiming;
import dev.paystream.schemas.PaymentEvent;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;

public class CustomerSessionsTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final Duration GAP = Duration.standardMinutes(10);

  /** Customer c1's payment at {@code merchant}. */
  private static TimestampedValue<PaymentEvent> c1(String id, String merchant, int minutes, long amount) {
    return arrival(payment(id, "c1", minutes, amount).setMerchantId(merchant));
  }

  private static CustomerSession session(
      IntervalWindow window,
      PaneTiming timing,
      long index,
      int firstMinute,
      int lastMinute,
      long payments,
      long amount,
      long merchants) {
    long first = minute(firstMinute).getMillis();
    long last = minute(lastMinute).getMillis();
    return CustomerSession.newBuilder()
        .setCustomerId("c1")
        .setWindow(pane(window, timing, index))
        .setFirstPaymentTime(first)
        .setLastPaymentTime(last)
        .setLengthMillis(last - first)
        .setPaymentCount(payments)
        .setAmountSum(amount)
        .setDistinctMerchants(merchants)
        .build();
  }

  @Test
  public void sessionPanesAndALatePaymentThatJoinsTwoSessions() {
    IntervalWindow morning = window(0, 14);
    IntervalWindow later = window(20, 30);
    IntervalWindow joined = window(0, 30);
    TestStream<PaymentEvent> payments =
        TestStream.create(AvroCoder.of(PaymentEvent.class))
            .advanceWatermarkTo(minute(0))
            .addElements(c1("s1", "m1", 0, 100), c1("s2", "m2", 4, 200))
            .advanceProcessingTime(Duration.standardMinutes(2))
            .addElements(c1("s3", "m1", 20, 50))
            // Both sessions are over: ON_TIME panes.
            .advanceWatermarkTo(minute(31))
            // Its window [10:12, 10:22) is open until 10:51:59.999 and overlaps both sessions.
            .addElements(c1("s4", "m3", 12, 70))
            // The joined session [10:00, 10:30) closed at 10:59:59.999.
            .advanceWatermarkTo(minute(60))
            // Its window [10:05, 10:15) closed at 10:44:59.999.
            .addElements(c1("s5", "m4", 5, 999))
            .advanceWatermarkToInfinity();

    PCollectionTuple result =
        pipeline
            .apply(payments)
            .apply(
                CustomerSessions.of(
                    PaymentWindowing.sessions(GAP)
                        .withEarlyFirings(Duration.standardMinutes(1))
                        .withAllowedLateness(Duration.standardMinutes(30))));

    PAssert.that(result.get(CustomerSessions.SESSIONS))
        .inWindow(morning)
        .containsInAnyOrder(
            session(morning, EARLY, 0, 0, 4, 2, 300, 2), session(morning, ON_TIME, 1, 0, 4, 2, 300, 2));
    PAssert.that(result.get(CustomerSessions.SESSIONS))
        .inWindow(later)
        .containsInAnyOrder(session(later, ON_TIME, 0, 20, 20, 1, 50, 1));
    // A new window to Beam: its pane count starts again.
    PAssert.that(result.get(CustomerSessions.SESSIONS))
        .inWindow(joined)
        .containsInAnyOrder(session(joined, LATE, 0, 0, 20, 4, 420, 3));
    String tooLate = missed("s5", window(5, 15));
    PAssert.that(result.get(CustomerSessions.DEAD_LETTERS))
        .satisfies(
            deadLetters -> {
              assertThat(missed(deadLetters, "customer_sessions"), containsInAnyOrder(tooLate));
              return null;
            });

    PipelineResult run = pipeline.run();
    assertEquals(1, lateDeadLetters(run));
    assertEquals(0, droppedByRunner(run));
  }

  @Test
  public void onlySessionWindowsAreAccepted() {
    PaymentWindowing hourly = PaymentWindowing.tumbling(Duration.standardHours(1));
    assertThrows(IllegalArgumentException.class, () -> CustomerSessions.of(hourly));
  }
}
