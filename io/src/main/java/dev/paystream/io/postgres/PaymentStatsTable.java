package dev.paystream.io.postgres;

import dev.paystream.schemas.MerchantTotal;
import dev.paystream.schemas.PaymentStats;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;

/**
 * The {@code payment_stats} table: one row per (dimension, key, window), holding the window's
 * latest pane. Panes accumulate, so a later pane (greater index) replaces the row, e.g. a LATE
 * refinement replaces the ON_TIME result; the same pane again (a replay) or an older one arriving
 * after it changes nothing.
 */
final class PaymentStatsTable extends PostgresTable<PaymentStats> {

  private static final long serialVersionUID = 1L;

  private static final List<Column<PaymentStats>> COLUMNS =
      List.of(
          new Column<>("dimension", (p, s, i) -> s.setString(i, p.getDimension().name())),
          new Column<>("key", (p, s, i) -> s.setString(i, p.getKey())),
          new Column<>("window_start", (p, s, i) -> s.setObject(i, SqlValues.utc(p.getWindow().getStart()))),
          new Column<>("window_end", (p, s, i) -> s.setObject(i, SqlValues.utc(p.getWindow().getEnd()))),
          new Column<>("pane_index", (p, s, i) -> s.setLong(i, p.getWindow().getIndex())),
          new Column<>("pane_timing", (p, s, i) -> s.setString(i, p.getWindow().getTiming().name())),
          new Column<>("payment_count", (p, s, i) -> SqlValues.setLong(s, i, p.getPaymentCount())),
          new Column<>("amount_sum", (p, s, i) -> SqlValues.setLong(s, i, p.getAmountSum())),
          new Column<>("amount_mean", (p, s, i) -> SqlValues.setDouble(s, i, p.getAmountMean())),
          new Column<>("amount_p50", (p, s, i) -> SqlValues.setLong(s, i, p.getAmountP50())),
          new Column<>("amount_p95", (p, s, i) -> SqlValues.setLong(s, i, p.getAmountP95())),
          new Column<>("amount_p99", (p, s, i) -> SqlValues.setLong(s, i, p.getAmountP99())),
          new Column<>("distinct_customers", (p, s, i) -> SqlValues.setLong(s, i, p.getDistinctCustomers())),
          new Column<>("decline_rate", (p, s, i) -> SqlValues.setDouble(s, i, p.getDeclineRate())),
          topMerchants("top_merchant_ids", "text", MerchantTotal::getMerchantId),
          topMerchants("top_merchant_counts", "bigint", MerchantTotal::getPaymentCount),
          topMerchants("top_merchant_amounts", "bigint", MerchantTotal::getAmountSum));

  PaymentStatsTable() {
    super("payment_stats", 4);
  }

  @Override
  List<Column<PaymentStats>> columns() {
    return COLUMNS;
  }

  @Override
  String replaceWhen() {
    return name() + ".pane_index < EXCLUDED.pane_index";
  }

  /** One array column of the ranked merchants' values, in rank order; null without a ranking. */
  private static Column<PaymentStats> topMerchants(
      String name, String sqlType, Function<MerchantTotal, Object> value) {
    return new Column<>(
        name,
        (PaymentStats p, PreparedStatement s, int i) -> bindArray(p.getTopMerchants(), sqlType, value, s, i));
  }

  private static void bindArray(
      List<MerchantTotal> merchants,
      String sqlType,
      Function<MerchantTotal, Object> value,
      PreparedStatement statement,
      int index)
      throws SQLException {
    if (merchants == null) {
      statement.setNull(index, java.sql.Types.ARRAY);
    } else {
      Object[] values = merchants.stream().map(value).toArray();
      statement.setArray(index, statement.getConnection().createArrayOf(sqlType, values));
    }
  }
}
