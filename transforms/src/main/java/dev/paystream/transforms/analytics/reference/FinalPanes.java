package dev.paystream.transforms.analytics.reference;

import dev.paystream.schemas.WindowPane;
import java.util.HashMap;
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
    Map<KeyedWindow, T> finals = new HashMap<>(latest);
    finals.keySet().removeIf(window -> latest.keySet().stream().anyMatch(other -> mergedInto(window, other)));
    return finals;
  }

  private static boolean mergedInto(KeyedWindow window, KeyedWindow other) {
    return !window.equals(other)
        && window.key().equals(other.key())
        && other.start() <= window.start()
        && window.end() <= other.end();
  }
}
