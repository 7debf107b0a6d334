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
        .setTiming(timing(pane.getTiming()))
        .setIndex(pane.getIndex())
        .build();
  }

  private static PaneTiming timing(PaneInfo.Timing timing) {
    return switch (timing) {
      case EARLY -> PaneTiming.EARLY;
      case ON_TIME -> PaneTiming.ON_TIME;
      case LATE -> PaneTiming.LATE;
      // Only elements that never went through a GroupByKey have an unknown timing.
      case UNKNOWN -> throw new IllegalStateException("unknown pane timing after a combine");
    };
  }
}
