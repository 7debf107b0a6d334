package dev.paystream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundednessTest {
  @Test
  void aPlateauAfterWarmUpIsBounded() {
    // warm-up quarter grows, then the series hovers around 100
    List<Long> series = List.of(10L, 40L, 80L, 95L, 100L, 105L, 98L, 102L, 101L, 99L, 104L, 100L);
    Boundedness verdict = Boundedness.of(series, 0.25);
    assertTrue(verdict.bounded(), verdict.verdict());
    // 12 samples: second quarter = samples 3..5 (95, 100, 105), last quarter = samples 9..11 (99, 104, 100)
    assertEquals(100.0, verdict.secondQuarterMean(), 1e-9);
    assertEquals(101.0, verdict.lastQuarterMean(), 1e-9);
    assertEquals(0.01, verdict.growth(), 1e-9);
    assertTrue(verdict.verdict().startsWith("bounded"), verdict.verdict());
  }

  @Test
  void linearGrowthIsNotBounded() {
    List<Integer> series = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      series.add(i * 1000);
    }
    Boundedness verdict = Boundedness.of(series, 0.25);
    assertFalse(verdict.bounded(), verdict.verdict());
    // second quarter 6..10 -> mean 8000; last quarter 16..20 -> mean 18000
    assertEquals(8000, verdict.secondQuarterMean(), 0.01);
    assertEquals(18000, verdict.lastQuarterMean(), 0.01);
    assertEquals(1.25, verdict.growth(), 1e-9);
    assertTrue(verdict.verdict().startsWith("GROWING"), verdict.verdict());
  }

  @Test
  void growthWithinTheToleranceIsBounded() {
    List<Integer> series = List.of(100, 100, 100, 100, 120, 120, 120, 120);
    Boundedness verdict = Boundedness.of(series, 0.25);
    assertEquals(0.2, verdict.growth(), 1e-9);
    assertTrue(verdict.bounded());
    assertFalse(Boundedness.of(series, 0.1).bounded());
  }

  @Test
  void tooFewSamplesAreNotJudgedBounded() {
    Boundedness verdict = Boundedness.of(List.of(1, 2, 3), 0.25);
    assertFalse(verdict.bounded());
    assertTrue(verdict.verdict().contains("too few samples"), verdict.verdict());
  }

  @Test
  void fromNothingToSomethingIsGrowth() {
    Boundedness verdict = Boundedness.of(List.of(0, 0, 0, 0, 0, 0, 5, 5), 0.25);
    assertFalse(verdict.bounded(), verdict.verdict());
    assertTrue(Boundedness.of(List.of(0, 0, 0, 0), 0.25).bounded());
  }
}
