package dev.paystream.transforms.analytics.reference;

import dev.paystream.schemas.MerchantTotal;
import dev.paystream.schemas.PaymentStats;
import dev.paystream.transforms.analytics.PaymentStatistic;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The exact statistics of one key's window, as {@link StatsModel} computes them.
 *
 * @param sortedAmounts every amount in the window, ascending
 * @param topMerchants the merchants by amount, highest first, ties by merchant id; as many as asked
 */
public record ExpectedStats(
    long count,
    long amountSum,
    double amountMean,
    List<Long> sortedAmounts,
    long distinctCustomers,
    double declineRate,
    List<MerchantTotal> topMerchants) {

  /** The nearest-rank percentile: the ⌈percent·count/100⌉-th smallest amount. */
  public long percentile(int percent) {
    return amountAtRank((percent * count + 99) / 100);
  }

  /** The {@code rank}-th smallest amount, counting from 1; ranks outside [1, count] are clamped. */
  public long amountAtRank(long rank) {
    return sortedAmounts.get((int) Math.min(Math.max(rank, 1), count) - 1);
  }

  /**
   * How {@code actual} differs from these statistics, one line per field; empty if it matches.
   * Exact for every field but the percentiles, which may be any amount whose rank is less than
   * {@link PaymentStatistic#PERCENTILE_RANK_ERROR}·N from the exact nearest rank.
   */
  public List<String> differences(PaymentStats actual) {
    List<String> differences = new ArrayList<>();
    compare(differences, "payment_count", count, actual.getPaymentCount());
    compare(differences, "amount_sum", amountSum, actual.getAmountSum());
    compare(differences, "amount_mean", amountMean, actual.getAmountMean());
    compare(differences, "distinct_customers", distinctCustomers, actual.getDistinctCustomers());
    compare(differences, "decline_rate", declineRate, actual.getDeclineRate());
    List<MerchantTotal> ranked = actual.getTopMerchants() == null ? List.of() : actual.getTopMerchants();
    compare(differences, "top_merchants", topMerchants, ranked);
    comparePercentile(differences, 50, actual.getAmountP50());
    comparePercentile(differences, 95, actual.getAmountP95());
    comparePercentile(differences, 99, actual.getAmountP99());
    return differences;
  }

  private void comparePercentile(List<String> differences, int percent, Long actual) {
    long rank = (percent * count + 99) / 100;
    long tolerance = Math.max(0, (long) Math.ceil(PaymentStatistic.PERCENTILE_RANK_ERROR * count) - 1);
    long low = amountAtRank(rank - tolerance);
    long high = amountAtRank(rank + tolerance);
    if (actual == null || actual < low || actual > high) {
      differences.add(
          String.format("p%d: %s, exact %d, allowed [%d, %d]", percent, actual, percentile(percent), low, high));
    }
  }

  private static void compare(List<String> differences, String field, Object expected, Object actual) {
    if (!Objects.equals(expected, actual)) {
      differences.add(field + ": " + actual + ", expected " + expected);
    }
  }
}
