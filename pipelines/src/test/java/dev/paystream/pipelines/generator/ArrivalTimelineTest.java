package dev.paystream.pipelines.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArrivalTimelineTest {
  private static final long MIDNIGHT = Instant.parse("2025-03-10T00:00:00Z").toEpochMilli();
  private static final long HOUR = 3_600_000;

  @Test
  void peakHoursAreNineToSixUtc() {
    assertFalse(ArrivalTimeline.isPeak(MIDNIGHT + 9 * HOUR - 1));
    assertTrue(ArrivalTimeline.isPeak(MIDNIGHT + 9 * HOUR));
    assertTrue(ArrivalTimeline.isPeak(MIDNIGHT + 18 * HOUR - 1));
    assertFalse(ArrivalTimeline.isPeak(MIDNIGHT + 18 * HOUR));
    assertEquals(23, ArrivalTimeline.hourOfDay(MIDNIGHT - 1));
  }

  @Test
  void workIsArrivalsAtTheRateOfEachHour() {
    ArrivalTimeline timeline = new ArrivalTimeline(2, 3);
    // 8:00 to 10:00 holds 3600 * 2 off-peak arrivals, then 3600 * 6 peak ones
    assertEquals(
        MIDNIGHT + 10 * HOUR, timeline.advance(MIDNIGHT + 8 * HOUR, 3600 * 2 + 3600 * 6), 1e-3);
    assertEquals(MIDNIGHT + 8 * HOUR + 500, timeline.advance(MIDNIGHT + 8 * HOUR, 1), 1e-6);
    assertEquals(MIDNIGHT + 9 * HOUR + 500, timeline.advance(MIDNIGHT + 9 * HOUR, 3), 1e-6);
  }

  @Test
  void rewindUndoesAdvanceAcrossHourBoundaries() {
    ArrivalTimeline timeline = new ArrivalTimeline(0.7, 2.5);
    for (double work : List.of(0.0, 0.3, 500.0, 12_345.6, 250_000.0)) {
      for (long from : List.of(MIDNIGHT, MIDNIGHT + 9 * HOUR, MIDNIGHT + 17 * HOUR + 1234)) {
        double to = timeline.advance(from, work);
        assertEquals(from, timeline.rewind(to, work), 1e-3, "work " + work + " from " + from);
      }
    }
  }

  @Test
  void offPeakArrivalsArePoissonAtTheConfiguredRate() {
    double[] gaps = gapsOfPaymentsFrom(MIDNIGHT, 5, 15_000);
    assertEquals(1000 / 5.0, mean(gaps), 200 * 0.03);
    // an exponential's standard deviation equals its mean
    assertEquals(1.0, Math.sqrt(variance(gaps)) / mean(gaps), 0.05);
  }

  @Test
  void peakArrivalsComeFasterByTheMultiplier() {
    double[] gaps = gapsOfPaymentsFrom(MIDNIGHT + 10 * HOUR, 5, 15_000);
    assertEquals(1000 / 15.0, mean(gaps), 1000 / 15.0 * 0.03);
  }

  /**
   * Inter-arrival times of a generator with nothing but ordinary payments, at peak multiplier 3.
   */
  private static double[] gapsOfPaymentsFrom(long start, double perSecond, int count) {
    List<GeneratedRecord> records =
        PaymentGeneratorTest.drain(
            PaymentGenerator.builder()
                .startMillis(start)
                .eventsPerSecond(perSecond)
                .peakMultiplier(3)
                .fraudFraction(0)
                .duplicateFraction(0)
                .malformedFraction(0)
                .limit(count)
                .build());
    assertTrue(records.stream().allMatch(r -> r.kind() == Kind.VALID && r.fraudPattern() == null));
    // all within one hour, so one rate applies
    assertEquals(
        ArrivalTimeline.hourOfDay(start),
        ArrivalTimeline.hourOfDay(records.get(count - 1).timestampMillis()));
    double[] gaps = new double[count - 1];
    for (int i = 1; i < count; i++) {
      gaps[i - 1] = records.get(i).timestampMillis() - records.get(i - 1).timestampMillis();
    }
    return gaps;
  }

  private static double mean(double[] values) {
    double sum = 0;
    for (double value : values) {
      sum += value;
    }
    return sum / values.length;
  }

  private static double variance(double[] values) {
    double mean = mean(values);
    double sum = 0;
    for (double value : values) {
      sum += (value - mean) * (value - mean);
    }
    return sum / (values.length - 1);
  }
}
