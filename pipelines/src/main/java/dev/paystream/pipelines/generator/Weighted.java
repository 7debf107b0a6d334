package dev.paystream.pipelines.generator;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A discrete distribution over a few values, each drawn in proportion to its weight. */
final class Weighted<T> {
  private final List<T> values = new ArrayList<>();
  private final List<Double> cumulative = new ArrayList<>();
  private double total;

  Weighted<T> add(T value, double weight) {
    if (!(weight > 0)) {
      throw new IllegalArgumentException("weight must be positive: " + value + "=" + weight);
    }
    total += weight;
    values.add(value);
    cumulative.add(total);
    return this;
  }

  T pick(Random random) {
    double u = random.nextDouble() * total;
    for (int i = 0; i < values.size() - 1; i++) {
      if (u < cumulative.get(i)) {
        return values.get(i);
      }
    }
    return values.get(values.size() - 1);
  }
}
