package dev.paystream.transforms.analytics.reference;

import dev.paystream.schemas.WindowPane;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Each window's final result among the panes a pipeline emitted, to set beside a model's: with
 * accumulating panes, a window's last pane (highest index). A session window that a later pane's
 * window contains was merged into it, so it has no final result of its own.
 */
public final class FinalPanes {
  private FinalPanes() {}

  public static <T> Map<KeyedWindow, T> of(Iterable<T> panes, Function<T, String> key, Function<T, WindowPane> pane) {
    Map<KeyedWindow, T> latest = new HashMap<>();
    for (T candidate : panes) {
      WindowPane window = pane.apply(candidate);
      latest.merge(
          new KeyedWindow(key.apply(candidate), window.getStart(), window.getEnd()),
          candidate,
          (a, b) -> pane.apply(a).getIndex() > pane.apply(b).getIndex() ? a : b);
    }
    // Per key, windows by start, the longest first: a window is merged into another exactly when
    // one before it in that order ends at or after its end. One sort instead of comparing every
    // pair of windows (100,000 payments make ~10^5 windows: 10^10 pairs, minutes of checking).
    Map<String, List<KeyedWindow>> byKey = new HashMap<>();
    latest.keySet().forEach(window -> byKey.computeIfAbsent(window.key(), k -> new ArrayList<>()).add(window));
    Map<KeyedWindow, T> finals = new HashMap<>(latest);
    for (List<KeyedWindow> windows : byKey.values()) {
      windows.sort(Comparator.comparingLong(KeyedWindow::start).thenComparing(Comparator.comparingLong(KeyedWindow::end).reversed()));
      long furthestEnd = Long.MIN_VALUE;
      for (KeyedWindow window : windows) {
        if (furthestEnd >= window.end()) {
          finals.remove(window);
        }
        furthestEnd = Math.max(furthestEnd, window.end());
      }
    }
    return finals;
  }
}
