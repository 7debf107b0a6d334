package dev.paystream.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Nearest-rank percentiles of a sample, in milliseconds. */
record Percentiles(long p50, long p95, long p99, long max, int samples) {
  static Percentiles of(List<Long> values) {
    if (values.isEmpty()) {
      return new Percentiles(0, 0, 0, 0, 0);
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return new Percentiles(rank(sorted, 50), rank(sorted, 95), rank(sorted, 99), sorted.get(sorted.size() - 1), sorted.size());
  }

  private static long rank(List<Long> sorted, int percentile) {
    int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, index));
  }
}
