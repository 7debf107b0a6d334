package dev.paystream.pipelines.generator;

/**
 * Event time of a non-homogeneous Poisson process whose rate is constant within each UTC hour and
 * higher during business hours. Time advances by "work": a unit-mean exponential draw of work is
 * one Poisson inter-arrival, however the rate changes along the way. Because the mapping works in
 * both directions, a backfill can find the start from which a given amount of work ends exactly at
 * a chosen instant.
 */
final class ArrivalTimeline {
  static final int PEAK_START_HOUR = 9;
  static final int PEAK_END_HOUR = 18;
  private static final double HOUR_MILLIS = 3_600_000;

  private final double offPeakPerMilli;
  private final double peakPerMilli;

  /**
   * @param offPeakPerSecond arrivals per second outside business hours
   * @param peakMultiplier how many times busier 09:00–18:00 UTC is
   */
  ArrivalTimeline(double offPeakPerSecond, double peakMultiplier) {
    if (!(offPeakPerSecond > 0) || !(peakMultiplier > 0)) {
      throw new IllegalArgumentException("rate and peak multiplier must be positive");
    }
    this.offPeakPerMilli = offPeakPerSecond / 1000;
    this.peakPerMilli = offPeakPerMilli * peakMultiplier;
  }

  static boolean isPeak(double millis) {
    int hour = hourOfDay(millis);
    return hour >= PEAK_START_HOUR && hour < PEAK_END_HOUR;
  }

  static int hourOfDay(double millis) {
    return (int) Math.floorMod((long) Math.floor(millis / HOUR_MILLIS), 24L);
  }

  /** The instant at which {@code work} expected arrivals have happened after {@code fromMillis}. */
  double advance(double fromMillis, double work) {
    double t = fromMillis;
    double remaining = work;
    while (true) {
      double hourEnd = (Math.floor(t / HOUR_MILLIS) + 1) * HOUR_MILLIS;
      double rate = rateAt(t);
      double available = (hourEnd - t) * rate;
      if (remaining <= available) {
        return t + remaining / rate;
      }
      remaining -= available;
      t = hourEnd;
    }
  }

  /** The instant from which {@link #advance advancing} by {@code work} reaches {@code toMillis}. */
  double rewind(double toMillis, double work) {
    double t = toMillis;
    double remaining = work;
    while (true) {
      double hourStart = Math.ceil(t / HOUR_MILLIS - 1) * HOUR_MILLIS;
      double rate = rateAt(hourStart);
      double available = (t - hourStart) * rate;
      if (remaining <= available) {
        return t - remaining / rate;
      }
      remaining -= available;
      t = hourStart;
    }
  }

  private double rateAt(double millis) {
    return isPeak(millis) ? peakPerMilli : offPeakPerMilli;
  }
}
