package dev.paystream.transforms.analytics;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.junit.Test;

/**
 * The percentile combiner against exact nearest-rank percentiles. The bound relied on is the one
 * {@code ApproximateQuantiles} documents: the returned value's rank is less than ε·N from the exact
 * rank, ε = {@link PaymentStatistic#PERCENTILE_RANK_ERROR} = 1/101. With ties a value covers a
 * range of ranks; the distance is to the nearest of them.
 */
public class PercentilesAccuracyTest {
  private static final long SEED = 20240115;

  /** Log-normal amounts around 30 EUR in cents, rounded to 10 cents so that many tie. */
  private static List<Long> amounts(int n, Random random) {
    List<Long> amounts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      amounts.add(Math.round(Math.exp(8 + 1.2 * random.nextGaussian()) / 10) * 10 + 10);
    }
    return amounts;
  }

  private static <AccumT> List<Long> combineInShards(
      CombineFn<Long, AccumT, List<Long>> fn, List<Long> amounts, int shards) {
    List<AccumT> accumulators = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      AccumT accumulator = fn.createAccumulator();
      for (int i = s; i < amounts.size(); i += shards) {
        accumulator = fn.addInput(accumulator, amounts.get(i));
      }
      accumulators.add(accumulator);
    }
    return fn.extractOutput(fn.mergeAccumulators(accumulators));
  }

  private static List<Long> percentiles(List<Long> amounts, int shards) {
    return combineInShards(PaymentStatistic.percentiles(), amounts, shards);
  }

  /** 0-based distance from the exact nearest rank of {@code percent} to the ranks holding {@code value}. */
  private static long rankError(List<Long> sorted, int percent, long value) {
    int exact = (int) ((percent * (long) sorted.size() + 99) / 100) - 1;
    int first = Collections.binarySearch(sorted, value);
    assertTrue("returned a value that is not an input: " + value, first >= 0);
    int last = first;
    while (first > 0 && sorted.get(first - 1) == value) {
      first--;
    }
    while (last < sorted.size() - 1 && sorted.get(last + 1) == value) {
      last++;
    }
    return exact < first ? first - exact : Math.max(0, exact - last);
  }

  @Test
  public void exactWhileTheSketchHasNotCompacted() {
    List<Long> amounts = amounts(40_000, new Random(SEED));
    List<Long> sorted = new ArrayList<>(amounts);
    Collections.sort(sorted);
    List<Long> quantiles = percentiles(amounts, 1);
    for (int p = 1; p <= 99; p++) {
      assertEquals("p" + p, sorted.get((p * sorted.size() + 99) / 100 - 1), quantiles.get(p));
    }
  }

  @Test
  public void withinTheDocumentedRankErrorAfterCompactingAndMerging() {
    int n = 300_000;
    List<Long> amounts = amounts(n, new Random(SEED + 1));
    List<Long> sorted = new ArrayList<>(amounts);
    Collections.sort(sorted);
    // Seven partial accumulators, merged, as a runner combining several bundles would.
    List<Long> quantiles = percentiles(amounts, 7);
    for (int p = 1; p <= 99; p++) {
      long error = rankError(sorted, p, quantiles.get(p));
      assertTrue("p" + p + " is " + error + " ranks off", error < PaymentStatistic.PERCENTILE_RANK_ERROR * n);
    }
  }
}
