package dev.paystream.io.postgres;

import dev.paystream.schemas.MerchantTotal;
import dev.paystream.schemas.PaneTiming;
import dev.paystream.schemas.PaymentStats;
import dev.paystream.schemas.StatsDimension;
import dev.paystream.schemas.WindowPane;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** Reads the {@code payment_stats} table back as the {@link PaymentStats} the sink wrote. */
public final class StoredPaymentStats {
  private StoredPaymentStats() {}

  /**
   * Every row whose key starts with {@code keyPrefix}, ordered by dimension, key and window; an
   * empty list if the table does not exist yet.
   */
  public static List<PaymentStats> read(Connection connection, String keyPrefix) throws SQLException {
    try (PreparedStatement exists = connection.prepareStatement("SELECT to_regclass('payment_stats') IS NOT NULL");
        ResultSet row = exists.executeQuery()) {
      if (!row.next() || !row.getBoolean(1)) {
        return List.of();
      }
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT * FROM payment_stats WHERE key LIKE ? ORDER BY dimension, key, window_start, window_end")) {
      statement.setString(1, keyPrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
      List<PaymentStats> stats = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          stats.add(stats(rows));
        }
      }
      return stats;
    }
  }

  /** One row of {@code payment_stats} as the {@link PaymentStats} the sink wrote. */
  static PaymentStats stats(ResultSet rows) throws SQLException {
    return PaymentStats.newBuilder()
        .setDimension(StatsDimension.valueOf(rows.getString("dimension")))
        .setKey(rows.getString("key"))
        .setWindow(
            WindowPane.newBuilder()
                .setStart(epochMillis(rows, "window_start"))
                .setEnd(epochMillis(rows, "window_end"))
                .setTiming(PaneTiming.valueOf(rows.getString("pane_timing")))
                .setIndex(rows.getLong("pane_index"))
                .build())
        .setPaymentCount(rows.getObject("payment_count", Long.class))
        .setAmountSum(rows.getObject("amount_sum", Long.class))
        .setAmountMean(rows.getObject("amount_mean", Double.class))
        .setAmountP50(rows.getObject("amount_p50", Long.class))
        .setAmountP95(rows.getObject("amount_p95", Long.class))
        .setAmountP99(rows.getObject("amount_p99", Long.class))
        .setDistinctCustomers(rows.getObject("distinct_customers", Long.class))
        .setDeclineRate(rows.getObject("decline_rate", Double.class))
        .setTopMerchants(topMerchants(rows))
        .build();
  }

  private static List<MerchantTotal> topMerchants(ResultSet rows) throws SQLException {
    Array ids = rows.getArray("top_merchant_ids");
    if (ids == null) {
      return null;
    }
    String[] merchantIds = (String[]) ids.getArray();
    Long[] counts = (Long[]) rows.getArray("top_merchant_counts").getArray();
    Long[] amounts = (Long[]) rows.getArray("top_merchant_amounts").getArray();
    List<MerchantTotal> merchants = new ArrayList<>();
    for (int i = 0; i < merchantIds.length; i++) {
      merchants.add(new MerchantTotal(merchantIds[i], counts[i], amounts[i]));
    }
    return merchants;
  }

  private static long epochMillis(ResultSet rows, String column) throws SQLException {
    return rows.getObject(column, OffsetDateTime.class).toInstant().toEpochMilli();
  }
}
