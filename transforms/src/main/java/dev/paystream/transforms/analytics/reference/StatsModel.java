package dev.paystream.transforms.analytics.reference;

import dev.paystream.schemas.MerchantTotal;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentStatus;
import dev.paystream.schemas.StatsDimension;
import dev.paystream.transforms.analytics.PaymentWindowing;
import dev.paystream.transforms.analytics.StatsKeys;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reference model of {@code WindowedPaymentStats}: the final statistics of every key's window,
 * computed plainly and exactly from a list of payments (Nexmark pairs each query with such a
 * model). Every payment counts, as if none arrived too late; early and late firings do not exist
 * here, only each window's final result.
 */
public final class StatsModel {
  private StatsModel() {}

  /**
   * @param topMerchants how many merchants to rank per window; 0 for none
   */
  public static Map<KeyedWindow, ExpectedStats> finalStats(
      List<PaymentEvent> payments, StatsDimension dimension, PaymentWindowing windowing, int topMerchants) {
    Map<KeyedWindow, ExpectedStats> stats = new LinkedHashMap<>();
    ModelWindows.assign(payments, p -> StatsKeys.keyOf(dimension, p), windowing)
        .forEach((window, inWindow) -> stats.put(window, summarize(inWindow, topMerchants)));
    return stats;
  }

  private static ExpectedStats summarize(List<PaymentEvent> payments, int topMerchants) {
    long count = payments.size();
    long sum = payments.stream().mapToLong(PaymentEvent::getAmount).sum();
    long declined = payments.stream().filter(p -> p.getStatus() == PaymentStatus.DECLINED).count();
    return new ExpectedStats(
        count,
        sum,
        (double) sum / count,
        payments.stream().map(PaymentEvent::getAmount).sorted().toList(),
        payments.stream().map(PaymentEvent::getCustomerId).distinct().count(),
        (double) declined / count,
        rankMerchants(payments, topMerchants));
  }

  private static List<MerchantTotal> rankMerchants(List<PaymentEvent> payments, int n) {
    Map<String, MerchantTotal> totals = new TreeMap<>();
    for (PaymentEvent p : payments) {
      MerchantTotal total = totals.computeIfAbsent(p.getMerchantId(), id -> new MerchantTotal(id, 0L, 0L));
      total.setPaymentCount(total.getPaymentCount() + 1);
      total.setAmountSum(total.getAmountSum() + p.getAmount());
    }
    return totals.values().stream()
        .sorted(
            Comparator.comparingLong(MerchantTotal::getAmountSum)
                .reversed()
                .thenComparing(MerchantTotal::getMerchantId))
        .limit(n)
        .toList();
  }
}
