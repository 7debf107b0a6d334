package dev.paystream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MachineTest {
  @Test
  void parsesProcLoadavg() {
    assertEquals(List.of(1.69, 2.85, 3.18), Machine.parseLoadAverage("1.69 2.85 3.18 3/812 29471\n"));
  }

  @Test
  void readsThisMachinesLoad() throws Exception {
    List<Double> load = Machine.loadAverage();
    assertEquals(3, load.size());
    assertTrue(load.stream().allMatch(l -> l >= 0), load::toString);
  }
}
