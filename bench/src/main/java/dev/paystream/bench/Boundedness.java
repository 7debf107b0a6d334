package dev.paystream.bench;

import java.util.List;

/**
 * Whether a series that should stay bounded did: the mean of its last quarter against the mean of
 * its second quarter (the first quarter is warm-up: state fills as the population first pays).
 */
record Boundedness(double secondQuarterMean, double lastQuarterMean, double growth, boolean bounded, String verdict) {
  /** Growth from the second to the last quarter tolerated as noise (a checkpoint's timing, GC). */
  static final double DEFAULT_TOLERANCE = 0.25;

  static Boundedness of(List<? extends Number> series, double tolerance) {
    if (series.size() < 4) {
      return new Boundedness(Double.NaN, Double.NaN, Double.NaN, false, "too few samples (" + series.size() + " < 4) to judge");
    }
    int n = series.size();
    double second = mean(series, n / 4, n / 2);
    double last = mean(series, n - n / 4, n);
    double growth = second == 0 ? (last == 0 ? 0 : Double.POSITIVE_INFINITY) : last / second - 1;
    boolean bounded = growth <= tolerance;
    String verdict =
        String.format(
            "%s: last quarter mean %.0f vs second quarter mean %.0f (%+.0f%%, tolerance %+.0f%%)",
            bounded ? "bounded" : "GROWING", last, second, growth * 100, tolerance * 100);
    return new Boundedness(second, last, growth, bounded, verdict);
  }

  private static double mean(List<? extends Number> series, int from, int to) {
    double sum = 0;
    for (int i = from; i < to; i++) {
      sum += series.get(i).doubleValue();
    }
    return sum / Math.max(1, to - from);
  }
}
