package dev.paystream.transforms.analytics;

import java.io.Serializable;
import java.util.Optional;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.Window.ClosingBehavior;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.joda.time.Duration;

/**
 * The event-time windows payments are grouped into, and when each window's result fires.
 *
 * <p>Every window fires an ON_TIME pane when the watermark passes its end. Optionally it fires
 * EARLY panes a processing-time delay after the first payment of a pane, so results of long windows
 * show up before the watermark gets there. Each payment that arrives after the window end but
 * within the allowed lateness fires a LATE pane. Panes accumulate: each holds everything its window
 * has seen so far, so a sink replaces the previous pane's row. Payments later than the allowed
 * lateness are dead-lettered by the transforms that use this windowing, never silently dropped.
 *
 * <p>Defaults: no early panes, no allowed lateness.
 */
public final class PaymentWindowing implements Serializable {
  /** The shape of the windows. */
  public enum Kind {
    /** Back-to-back windows of one size. */
    TUMBLING,
    /** Windows of one size starting every period, so a payment is in size/period of them. */
    SLIDING,
    /** Per key, payments closer together than the gap share a window. */
    SESSIONS
  }

  private final Kind kind;
  /** Window size, or the gap for sessions. */
  private final Duration length;
  /** Distance between window starts; the size for tumbling windows, unused for sessions. */
  private final Duration period;
  /** Null for no early panes. */
  private final Duration earlyFiringDelay;
  private final Duration allowedLateness;

  private PaymentWindowing(
      Kind kind, Duration length, Duration period, Duration earlyFiringDelay, Duration allowedLateness) {
    this.kind = kind;
    this.length = length;
    this.period = period;
    this.earlyFiringDelay = earlyFiringDelay;
    this.allowedLateness = allowedLateness;
  }

  /** Back-to-back windows of {@code size}, aligned to the epoch. */
  public static PaymentWindowing tumbling(Duration size) {
    requirePositive(size, "window size");
    return new PaymentWindowing(Kind.TUMBLING, size, size, null, Duration.ZERO);
  }

  /** Windows of {@code size} starting every {@code period}, aligned to the epoch. */
  public static PaymentWindowing sliding(Duration size, Duration period) {
    requirePositive(size, "window size");
    requirePositive(period, "window period");
    if (period.isLongerThan(size)) {
      // Payments between two windows would belong to none and vanish from every result.
      throw new IllegalArgumentException("period " + period + " is longer than the window size " + size);
    }
    return new PaymentWindowing(Kind.SLIDING, size, period, null, Duration.ZERO);
  }

  /** Per key, a window of activity that ends {@code gap} after its last payment. */
  public static PaymentWindowing sessions(Duration gap) {
    requirePositive(gap, "session gap");
    return new PaymentWindowing(Kind.SESSIONS, gap, gap, null, Duration.ZERO);
  }

  /** Fires EARLY panes {@code delay} of processing time after the first payment of each pane. */
  public PaymentWindowing withEarlyFirings(Duration delay) {
    requirePositive(delay, "early firing delay");
    return new PaymentWindowing(kind, length, period, delay, allowedLateness);
  }

  /**
   * How long after a window's end (by the watermark) its payments are still accepted as LATE
   * refinements. Later payments are dead-lettered with reason LATE.
   */
  public PaymentWindowing withAllowedLateness(Duration lateness) {
    if (lateness.isShorterThan(Duration.ZERO)) {
      throw new IllegalArgumentException("allowed lateness is negative: " + lateness);
    }
    return new PaymentWindowing(kind, length, period, earlyFiringDelay, lateness);
  }

  public Kind kind() {
    return kind;
  }

  /** The window size of tumbling and sliding windows. */
  public Duration size() {
    requireKind(Kind.TUMBLING, Kind.SLIDING);
    return length;
  }

  /** The distance between window starts: the size for tumbling windows. */
  public Duration period() {
    requireKind(Kind.TUMBLING, Kind.SLIDING);
    return period;
  }

  public Duration gap() {
    requireKind(Kind.SESSIONS);
    return length;
  }

  public Optional<Duration> earlyFiringDelay() {
    return Optional.ofNullable(earlyFiringDelay);
  }

  public Duration allowedLateness() {
    return allowedLateness;
  }

  WindowFn<Object, ?> windowFn() {
    return switch (kind) {
      case TUMBLING -> FixedWindows.of(length);
      case SLIDING -> SlidingWindows.of(length).every(period);
      case SESSIONS -> Sessions.withGapDuration(length);
    };
  }

  /** Windowing, triggers, lateness and accumulation in one {@code Window} transform. */
  <T> Window<T> window() {
    // Every late payment refines its window at once: the sinks upsert, so refinements are cheap.
    AfterWatermark.AfterWatermarkEarlyAndLate onTimeAndLate =
        AfterWatermark.pastEndOfWindow().withLateFirings(AfterPane.elementCountAtLeast(1));
    Trigger trigger =
        earlyFiringDelay == null
            ? onTimeAndLate
            : onTimeAndLate.withEarlyFirings(
                AfterProcessingTime.pastFirstElementInPane().plusDelayOf(earlyFiringDelay));
    return Window.<T>into(windowFn())
        .triggering(trigger)
        .withAllowedLateness(allowedLateness, ClosingBehavior.FIRE_IF_NON_EMPTY)
        .accumulatingFiredPanes();
  }

  private void requireKind(Kind... kinds) {
    for (Kind k : kinds) {
      if (k == kind) {
        return;
      }
    }
    throw new IllegalStateException("not defined for " + kind + " windows");
  }

  private static void requirePositive(Duration duration, String what) {
    if (!duration.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException(what + " must be positive: " + duration);
    }
  }
}
