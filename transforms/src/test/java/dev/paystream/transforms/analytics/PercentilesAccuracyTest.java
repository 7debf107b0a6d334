package dev.paystream.transforms.analytics;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.ApproximateQuantiles.ApproximateQuantilesCombineFn;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.util.CoderUtils;
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
    return combineInShards(fn, amounts, shards, Integer.MAX_VALUE);
  }

  /**
   * As a runner that stores the accumulator encoded does (Flink's heap state copies it through its
   * coder during a checkpoint and decodes it on restore): after every {@code encodeEvery} inputs,
   * each accumulator goes through its coder and on with the decoded copy.
   */
  private static <AccumT> List<Long> combineInShards(
      CombineFn<Long, AccumT, List<Long>> fn, List<Long> amounts, int shards, int encodeEvery) {
    Coder<AccumT> coder = accumulatorCoder(fn);
    List<AccumT> accumulators = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      AccumT accumulator = fn.createAccumulator();
      int added = 0;
      for (int i = s; i < amounts.size(); i += shards) {
        accumulator = fn.addInput(accumulator, amounts.get(i));
        if (++added % encodeEvery == 0) {
          accumulator = roundTrip(coder, accumulator);
        }
      }
      accumulators.add(accumulator);
    }
    return fn.extractOutput(fn.mergeAccumulators(accumulators));
  }

  private static List<Long> percentiles(List<Long> amounts, int shards) {
    return combineInShards(PaymentStatistic.percentiles(), amounts, shards);
  }

  private static <AccumT> Coder<AccumT> accumulatorCoder(CombineFn<Long, AccumT, ?> fn) {
    try {
      return fn.getAccumulatorCoder(CoderRegistry.createDefault(), VarLongCoder.of());
    } catch (CannotProvideCoderException e) {
      throw new AssertionError(e);
    }
  }

  private static <T> T roundTrip(Coder<T> coder, T value) {
    try {
      return CoderUtils.decodeFromByteArray(coder, CoderUtils.encodeToByteArray(coder, value));
    } catch (CoderException e) {
      throw new AssertionError(e);
    }
  }

  /** Sorted, exact nearest-rank percentiles p1..p99 against the combiner's. */
  private static void assertExact(List<Long> amounts, List<Long> quantiles) {
    List<Long> sorted = new ArrayList<>(amounts);
    Collections.sort(sorted);
    for (int p = 1; p <= 99; p++) {
      assertEquals("p" + p, sorted.get((p * sorted.size() + 99) / 100 - 1), quantiles.get(p));
    }
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
    assertExact(amounts, percentiles(amounts, 1));
  }

  /** The upstream defect {@link MergeDecodedAccumulators} works around; if this fails, Beam fixed it. */
  @Test
  public void beamsOwnAccumulatorCoderLosesTheBufferLimit() {
    List<Long> amounts = amounts(5_000, new Random(SEED + 2));
    assertThrows(NullPointerException.class,
        () -> combineInShards(ApproximateQuantilesCombineFn.<Long>create(101), amounts, 1, 1_000));
  }

  @Test
  public void exactWhenTheRunnerEncodesTheAccumulatorBetweenInputs() {
    List<Long> amounts = amounts(40_000, new Random(SEED + 3));
    assertExact(amounts, combineInShards(PaymentStatistic.percentiles(), amounts, 1, 1_000));
  }

  @Test
  public void withinTheRankErrorWhenEncodedAfterCompacting() {
    int n = 300_000;
    List<Long> amounts = amounts(n, new Random(SEED + 4));
    List<Long> sorted = new ArrayList<>(amounts);
    Collections.sort(sorted);
    List<Long> quantiles = combineInShards(PaymentStatistic.percentiles(), amounts, 3, 997);
    for (int p = 1; p <= 99; p++) {
      long error = rankError(sorted, p, quantiles.get(p));
      assertTrue("p" + p + " is " + error + " ranks off", error < PaymentStatistic.PERCENTILE_RANK_ERROR * n);
    }
  }

  /** State written before the wrap (Beam's coder alone) reads back: the bytes are Beam's. */
  @Test
  public void encodesAsBeamsCoderDoes() throws Exception {
    CombineFn<Long, ?, List<Long>> wrapped = PaymentStatistic.percentiles();
    assertArrayEquals(encodedAfter(ApproximateQuantilesCombineFn.<Long>create(101), 5_000),
        encodedAfter(wrapped, 5_000));
  }

  private static <AccumT> byte[] encodedAfter(CombineFn<Long, AccumT, ?> fn, int inputs) throws CoderException {
    AccumT accumulator = fn.createAccumulator();
    for (long amount : amounts(inputs, new Random(SEED + 5))) {
      accumulator = fn.addInput(accumulator, amount);
    }
    return CoderUtils.encodeToByteArray(accumulatorCoder(fn), accumulator);
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
