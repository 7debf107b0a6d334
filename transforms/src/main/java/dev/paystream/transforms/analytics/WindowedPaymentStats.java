package dev.paystream.transforms.analytics;

import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentStats;
import dev.paystream.schemas.StatsDimension;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Payment statistics per key (merchant, merchant category or payment method) and event-time window
 * (tumbling, sliding or sessions; see {@link PaymentWindowing}): count, sum, mean, p50/p95/p99 of
 * the amount, distinct customers and decline rate, and optionally the top merchants. One {@link
 * PaymentStats} per key, window and pane comes out under {@link #STATS}; panes accumulate, so the
 * latest pane of a window is its current result.
 *
 * <p>Payments that arrive after the watermark passed their window's end plus the allowed lateness
 * come out under {@link #DEAD_LETTERS} with reason {@code LATE}, one per window missed, and are
 * counted (namespace {@code analytics}, counter {@code dead_letter_LATE}); they change no pane.
 *
 * <p>All statistics of a key's window are one composed combine over one GroupByKey.
 */
public class WindowedPaymentStats extends PTransform<PCollection<PaymentEvent>, PCollectionTuple> {
  public static final TupleTag<PaymentStats> STATS = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = WindowPayments.DEAD_LETTERS;

  private final StatsDimension dimension;
  private final PaymentWindowing windowing;
  private final EnumSet<PaymentStatistic> statistics;
  private final int topMerchants;

  private WindowedPaymentStats(
      StatsDimension dimension, PaymentWindowing windowing, EnumSet<PaymentStatistic> statistics, int topMerchants) {
    this.dimension = dimension;
    this.windowing = windowing;
    this.statistics = statistics;
    this.topMerchants = topMerchants;
  }

  /** Every {@link PaymentStatistic} of the payments grouped by {@code dimension}, no top merchants. */
  public static WindowedPaymentStats of(StatsDimension dimension, PaymentWindowing windowing) {
    return new WindowedPaymentStats(dimension, windowing, EnumSet.allOf(PaymentStatistic.class), 0);
  }

  /** Only these statistics; the others stay null. */
  public WindowedPaymentStats withStatistics(PaymentStatistic first, PaymentStatistic... rest) {
    return new WindowedPaymentStats(dimension, windowing, EnumSet.of(first, rest), topMerchants);
  }

  /**
   * Also ranks the {@code n} merchants with the highest amount in each key's window, e.g. per
   * category with {@link StatsDimension#MERCHANT_CATEGORY}. Ties go to the smaller merchant id.
   */
  public WindowedPaymentStats withTopMerchants(int n) {
    if (n <= 0) {
      throw new IllegalArgumentException("top merchants must be positive: " + n);
    }
    return new WindowedPaymentStats(dimension, windowing, statistics, n);
  }

  @Override
  public PCollectionTuple expand(PCollection<PaymentEvent> payments) {
    List<CombinedField<?, ?, PaymentStats.Builder>> fields = new ArrayList<>();
    statistics.forEach(statistic -> fields.add(statistic.field()));
    if (topMerchants > 0) {
      fields.add(
          CombinedField.of(
              (PaymentEvent p) -> KV.of(p.getMerchantId(), p.getAmount()),
              KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()),
              new TopMerchantsFn(topMerchants),
              PaymentStats.Builder::setTopMerchants));
    }
    // A local, so that the functions below do not drag this transform along.
    StatsDimension dimension = this.dimension;
    String stage = "stats_by_" + dimension.name().toLowerCase(Locale.ROOT);
    return payments.apply(
        new WindowedCombine<>(
            new WindowPayments(stage, windowing, payment -> StatsKeys.keyOf(dimension, payment)),
            CombinedField.compose(fields),
            (key, pane, combined) -> {
              PaymentStats.Builder stats =
                  PaymentStats.newBuilder().setDimension(dimension).setKey(key).setWindow(pane);
              CombinedField.fill(fields, combined, stats);
              return stats.build();
            },
            STATS,
            AvroCoder.of(PaymentStats.class)));
  }
}
