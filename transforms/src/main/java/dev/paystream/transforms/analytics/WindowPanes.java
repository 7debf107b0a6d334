package dev.paystream.transforms.analytics;

import dev.paystream.schemas.PaneTiming;
import dev.paystream.schemas.WindowPane;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;

/** The {@link WindowPane} of a combined result: its window's bounds and its pane's timing. */
final class WindowPanes {
  private WindowPanes() {}

  /** {@code window} is one of the interval windows {@link PaymentWindowing} makes. */
  static WindowPane of(BoundedWindow window, PaneInfo pane) {
    IntervalWindow interval = (IntervalWindow) window;
    return WindowPane.newBuilder()
        .setStart(interval.start().getMillis())
        .setEnd(interval.end().getMillis())
        .setTiming(timing(pane))
        .setIndex(pane.getIndex())
        .build();
  }

  private static PaneTiming timing(PaneInfo pane) {
    return switch (pane.getTiming()) {
      case EARLY -> PaneTiming.EARLY;
      case ON_TIME -> PaneTiming.ON_TIME;
      case LATE -> PaneTiming.LATE;
      case UNKNOWN -> {
        // Flink's batch runner ignores triggers and emits each window once, as its only pane
        // (NO_FIRING): the complete window, what a streaming run's ON_TIME pane holds.
        if (pane.isFirst() && pane.isLast()) {
          yield PaneTiming.ON_TIME;
        }
        throw new IllegalStateException("unknown timing of a pane that is not its window's only one: " + pane);
      }
    };
  }
}
