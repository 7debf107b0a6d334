package dev.paystream.transforms.analytics.reference;

import dev.paystream.schemas.MerchantTotal;
import java.util.List;

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
}
