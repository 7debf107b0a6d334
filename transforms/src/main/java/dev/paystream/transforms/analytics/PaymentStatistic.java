package dev.paystream.transforms.analytics;

import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentStats;
import dev.paystream.schemas.PaymentStatus;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.ApproximateQuantiles.ApproximateQuantilesCombineFn;
import org.apache.beam.sdk.transforms.ApproximateUnique;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Mean;
import org.apache.beam.sdk.transforms.Sum;

/**
 * A statistic {@link WindowedPaymentStats} can compute per key and window; the ones not asked for
 * stay null in {@code PaymentStats}.
 */
public enum PaymentStatistic {
  /** {@code payment_count}. */
  COUNT {
    @Override
    CombinedField<?, ?, PaymentStats.Builder> field() {
      return CombinedField.of(
          PaymentEvent::getAmount, VarLongCoder.of(), Count.combineFn(), PaymentStats.Builder::setPaymentCount);
    }
  },
  /** {@code amount_sum}. */
  SUM {
    @Override
    CombinedField<?, ?, PaymentStats.Builder> field() {
      return CombinedField.of(
          PaymentEvent::getAmount, VarLongCoder.of(), Sum.ofLongs(), PaymentStats.Builder::setAmountSum);
    }
  },
  /** {@code amount_mean}. */
  MEAN {
    @Override
    CombinedField<?, ?, PaymentStats.Builder> field() {
      return CombinedField.of(
          PaymentEvent::getAmount, VarLongCoder.of(), Mean.<Long>of(), PaymentStats.Builder::setAmountMean);
    }
  },
  /** {@code amount_p50}, {@code amount_p95} and {@code amount_p99}; see {@link #percentiles()}. */
  PERCENTILES {
    @Override
    CombinedField<?, ?, PaymentStats.Builder> field() {
      return CombinedField.of(
          PaymentEvent::getAmount,
          VarLongCoder.of(),
          percentiles(),
          (PaymentStats.Builder stats, List<Long> quantiles) ->
              stats.setAmountP50(quantiles.get(50)).setAmountP95(quantiles.get(95)).setAmountP99(quantiles.get(99)));
    }
  },
  /** {@code distinct_customers}; see {@link #DISTINCT_SAMPLE_SIZE}. */
  DISTINCT_CUSTOMERS {
    @Override
    CombinedField<?, ?, PaymentStats.Builder> field() {
      return CombinedField.of(
          PaymentEvent::getCustomerId, StringUtf8Coder.of(), distinct(), PaymentStats.Builder::setDistinctCustomers);
    }
  },
  /** {@code decline_rate}: the mean of 1 per declined and 0 per approved payment. */
  DECLINE_RATE {
    @Override
    CombinedField<?, ?, PaymentStats.Builder> field() {
      return CombinedField.of(
          (PaymentEvent p) -> p.getStatus() == PaymentStatus.DECLINED ? 1L : 0L,
          VarLongCoder.of(),
          Mean.<Long>of(),
          PaymentStats.Builder::setDeclineRate);
    }
  };

  /**
   * Distinct counts are exact up to this many distinct values (but for a 64-bit hash collision,
   * odds about n²/2⁶⁵) and estimated beyond, with an error of about 2/√{@value} = 2%; memory per
   * key and window is at most this many hashes.
   */
  public static final int DISTINCT_SAMPLE_SIZE = 10_000;

  /** Rank error of the percentiles, as a share of the count; see {@link #percentiles()}. */
  public static final double PERCENTILE_RANK_ERROR = 1.0 / 101;

  abstract CombinedField<?, ?, PaymentStats.Builder> field();

  /**
   * Beam's {@code ApproximateQuantiles} (Manku, Rajagopalan and Lindsay 1998) asked for 101
   * quantiles: minimum, p1 to p99, maximum, so percentile p is element p. Each is the
   * nearest-rank percentile (the ⌈p·N/100⌉-th smallest amount) within a rank error below {@link
   * #PERCENTILE_RANK_ERROR}·N; exact until the sketch first compacts, which it does when a 21st
   * buffer of 1,908 amounts fills (40,068 payments in one window). Wrapped in {@link
   * MergeDecodedAccumulators}: Beam's accumulator coder loses the sketch's buffer limit.
   */
  static CombineFn<Long, ?, List<Long>> percentiles() {
    return MergeDecodedAccumulators.of(ApproximateQuantilesCombineFn.<Long>create(101));
  }

  /**
   * Beam's {@code ApproximateUnique} sketch (the smallest hashes). It is deprecated in favour of
   * the zetasketch extension's HLL++, which is not served by our package registry; an exact set
   * would grow with every distinct customer of a busy category or long window.
   */
  @SuppressWarnings("deprecation")
  static ApproximateUnique.ApproximateUniqueCombineFn<String> distinct() {
    return new ApproximateUnique.ApproximateUniqueCombineFn<>(DISTINCT_SAMPLE_SIZE, StringUtf8Coder.of());
  }
}
