package dev.paystream.transforms.analytics;

import static org.junit.Assert.assertEquals;

import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.PaneTiming;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.WindowPane;
import dev.paystream.schemas.wire.PaymentEventWire;
import dev.paystream.transforms.TestPayments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;

/** Payments at whole minutes after {@link TestPayments#T0}, windows, and the late-data checks. */
final class AnalyticsTesting {
  private AnalyticsTesting() {}

  static Instant minute(int minutes) {
    return new Instant(TestPayments.T0).plus(Duration.standardMinutes(minutes));
  }

  /** The window and pane an expected result carries. */
  static WindowPane pane(IntervalWindow window, PaneTiming timing, long index) {
    return WindowPane.newBuilder()
        .setStart(window.start().getMillis())
        .setEnd(window.end().getMillis())
        .setTiming(timing)
        .setIndex(index)
        .build();
  }

  static IntervalWindow window(int startMinute, int endMinute) {
    return new IntervalWindow(minute(startMinute), minute(endMinute));
  }

  /** An approved payment at merchant {@code merch_1}, {@code minutes} after T0. */
  static PaymentEvent.Builder payment(String id, String customer, int minutes, long amount) {
    return TestPayments.payment(id, customer, minute(minutes).getMillis(), amount);
  }

  /** The payment as it arrives: stamped with its event time. */
  static TimestampedValue<PaymentEvent> arrival(PaymentEvent.Builder payment) {
    return TimestampedValue.of(payment.build(), new Instant(payment.getEventTime()));
  }

  /** How {@link #missed} describes a payment dead-lettered as too late for a window. */
  static String missed(String transactionId, IntervalWindow window) {
    return transactionId + " missed " + window;
  }

  /** Each dead letter as "transaction id missed window", after checking it is a LATE one. */
  static List<String> missed(Iterable<DeadLetter> deadLetters, String stage) {
    Pattern windowInMessage = Pattern.compile("window (\\[\\S+\\.\\.\\S+\\))");
    List<String> missed = new ArrayList<>();
    for (DeadLetter deadLetter : deadLetters) {
      assertEquals("LATE", deadLetter.getErrorCode());
      assertEquals(stage, deadLetter.getStage());
      Matcher window = windowInMessage.matcher(deadLetter.getMessage());
      if (!window.find()) {
        throw new AssertionError("no window in " + deadLetter.getMessage());
      }
      missed.add(decode(deadLetter).getTransactionId() + " missed " + window.group(1));
    }
    return missed;
  }

  private static PaymentEvent decode(DeadLetter deadLetter) {
    byte[] bytes = new byte[deadLetter.getPayload().remaining()];
    deadLetter.getPayload().duplicate().get(bytes);
    try {
      return PaymentEventWire.decode(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Our count of (payment, window) pairs dead-lettered as too late. */
  static long lateDeadLetters(PipelineResult result) {
    return sumOfCounters(result, "dead_letter_LATE");
  }

  /**
   * What the runner dropped as late on its own (DirectRunner GroupByKey, stateful ParDo and
   * runners-core names); must stay 0, or a payment vanished without a dead letter.
   */
  static long droppedByRunner(PipelineResult result) {
    return sumOfCounters(result, "DroppedDueToLateness")
        + sumOfCounters(result, "droppedDueToLateness")
        + sumOfCounters(result, "StatefulParDoDropped");
  }

  private static long sumOfCounters(PipelineResult result, String name) {
    return committedSum(result, MetricsFilter.builder().build(), name);
  }

  /** The committed value of the counter {@code namespace/name}, 0 if it was never incremented. */
  static long committedCounter(PipelineResult result, String namespace, String name) {
    return committedSum(result, MetricsFilter.builder().addNameFilter(MetricNameFilter.named(namespace, name)).build(), name);
  }

  private static long committedSum(PipelineResult result, MetricsFilter filter, String name) {
    MetricQueryResults metrics = result.metrics().queryMetrics(filter);
    long sum = 0;
    for (MetricResult<Long> counter : metrics.getCounters()) {
      if (counter.getName().getName().equals(name)) {
        // Committed: the DirectRunner adds attempted values asynchronously, after the bundle.
        sum += counter.getCommitted();
      }
    }
    return sum;
  }
}
