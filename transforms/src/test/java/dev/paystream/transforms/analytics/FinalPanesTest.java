package dev.paystream.transforms.analytics;

import static org.junit.Assert.assertEquals;

import dev.paystream.schemas.PaneTiming;
import dev.paystream.schemas.WindowPane;
import dev.paystream.transforms.analytics.reference.FinalPanes;
import dev.paystream.transforms.analytics.reference.KeyedWindow;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.Test;

/** The final pane of each window, and session windows merged into a later, larger one left out. */
public class FinalPanesTest {
  private record Pane(String key, WindowPane window) {}

  private static Pane pane(String key, long start, long end, long index) {
    return new Pane(key, WindowPane.newBuilder().setStart(start).setEnd(end).setTiming(PaneTiming.ON_TIME).setIndex(index).build());
  }

  private static Map<KeyedWindow, Pane> finals(List<Pane> panes) {
    return FinalPanes.of(panes, Pane::key, Pane::window);
  }

  @Test
  public void keepsEachWindowsLastPaneAndDropsSessionsMergedIntoAnother() {
    Map<KeyedWindow, Pane> finals =
        finals(
            List.of(
                pane("a", 0, 10, 0),
                pane("a", 0, 20, 0), // [0, 10) merged into it
                pane("a", 0, 20, 1), // its last pane
                pane("a", 5, 15, 0), // merged into [0, 20)
                pane("a", 0, 20, 2),
                pane("a", 30, 40, 0),
                pane("a", 15, 35, 0), // overlaps both, contains neither, is contained in neither
                pane("b", 5, 15, 0))); // another key: [0, 20) of a does not contain it
    assertEquals(
        Set.of(new KeyedWindow("a", 0, 20), new KeyedWindow("a", 30, 40), new KeyedWindow("a", 15, 35), new KeyedWindow("b", 5, 15)),
        finals.keySet());
    assertEquals(2, finals.get(new KeyedWindow("a", 0, 20)).window().getIndex());
  }

  /**
   * A 7-day backfill of 100,000 payments gives ~10^5 windows; comparing every pair (as this did
   * before) took minutes, and the figures' model check never finished. Here 270,000 panes, 90,000
   * final windows (each pair: 1.6 * 10^10 comparisons).
   */
  @Test(timeout = 60_000)
  public void scalesToHundredsOfThousandsOfWindows() {
    List<Pane> panes = new ArrayList<>();
    for (int key = 0; key < 150; key++) {
      for (long session = 0; session < 600; session++) {
        long start = session * 100;
        panes.add(pane("c" + key, start, start + 50, 0));
        panes.add(pane("c" + key, start + 10, start + 40, 0)); // merged into the one above
        panes.add(pane("c" + key, start, start + 50, 1));
      }
    }
    Collections.shuffle(panes, new Random(7));
    Map<KeyedWindow, Pane> finals = finals(panes);
    assertEquals(90_000, finals.size());
    finals.values().forEach(pane -> assertEquals(1, pane.window().getIndex()));
  }
}
