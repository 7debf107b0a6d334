package dev.paystream.transforms.analytics;

import dev.paystream.schemas.MerchantTotal;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.Top;
import org.apache.beam.sdk.values.KV;

/**
 * The {@code n} merchants with the highest amount in a window, from (merchant id, amount) pairs.
 *
 * <p>Why not {@code Sum.perKey} by merchant followed by {@code Top.perKey} by category: with
 * accumulating panes, every pane of a merchant is a full total, so a second accumulating stage
 * would count a merchant once per pane; and an early or late pane carries only the merchants that
 * fired, so a ranking built from it would miss the rest. Here the accumulator keeps each merchant's
 * exact total for the window (bounded by the merchants of one key) and Beam's {@link Top} combiner
 * ranks them when a pane fires.
 */
final class TopMerchantsFn extends CombineFn<KV<String, Long>, Map<String, MerchantTotal>, List<MerchantTotal>> {
  private final Top.TopCombineFn<MerchantTotal, ByAmountThenId> top;

  TopMerchantsFn(int n) {
    this.top = new Top.TopCombineFn<>(n, new ByAmountThenId());
  }

  @Override
  public Map<String, MerchantTotal> createAccumulator() {
    return new HashMap<>();
  }

  @Override
  public Map<String, MerchantTotal> addInput(Map<String, MerchantTotal> totals, KV<String, Long> payment) {
    add(totals, payment.getKey(), 1, payment.getValue());
    return totals;
  }

  @Override
  public Map<String, MerchantTotal> mergeAccumulators(Iterable<Map<String, MerchantTotal>> accumulators) {
    Map<String, MerchantTotal> merged = new HashMap<>();
    for (Map<String, MerchantTotal> totals : accumulators) {
      totals.values().forEach(t -> add(merged, t.getMerchantId(), t.getPaymentCount(), t.getAmountSum()));
    }
    return merged;
  }

  @Override
  public List<MerchantTotal> extractOutput(Map<String, MerchantTotal> totals) {
    // Copies: the accumulator lives on and changes with the window's next payments.
    List<MerchantTotal> ranked = new ArrayList<>();
    top.apply(totals.values()).forEach(t -> ranked.add(MerchantTotal.newBuilder(t).build()));
    return ranked;
  }

  @Override
  public Coder<Map<String, MerchantTotal>> getAccumulatorCoder(
      CoderRegistry registry, Coder<KV<String, Long>> inputCoder) {
    return MapCoder.of(StringUtf8Coder.of(), AvroCoder.of(MerchantTotal.class));
  }

  private static void add(Map<String, MerchantTotal> totals, String merchantId, long payments, long amount) {
    MerchantTotal total =
        totals.computeIfAbsent(merchantId, id -> new MerchantTotal(id, 0L, 0L));
    total.setPaymentCount(total.getPaymentCount() + payments);
    total.setAmountSum(total.getAmountSum() + amount);
  }

  /** Higher amount ranks higher; on a tie the smaller merchant id does, so the order is total. */
  private static final class ByAmountThenId implements Comparator<MerchantTotal>, Serializable {
    @Override
    public int compare(MerchantTotal a, MerchantTotal b) {
      int byAmount = Long.compare(a.getAmountSum(), b.getAmountSum());
      return byAmount != 0 ? byAmount : b.getMerchantId().compareTo(a.getMerchantId());
    }
  }
}
