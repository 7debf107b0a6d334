package dev.paystream.io.sinks;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.Decision;
import dev.paystream.schemas.FraudDecision;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads back what the PostgreSQL sink wrote, for one test's id prefix. */
public final class DecisionRows {

  private final LocalStack stack;
  private final String prefix;

  public DecisionRows(LocalStack stack, String prefix) {
    this.stack = stack;
    this.prefix = prefix;
  }

  /** The number of this test's rows; 0 also before the sink has created the table. */
  public int count() {
    if (!tableExists()) {
      return 0;
    }
    return query(
        "SELECT count(*) FROM fraud_decisions WHERE transaction_id LIKE ?",
        rows -> {
          rows.next();
          return rows.getInt(1);
        });
  }

  /**
   * Every row as PostgreSQL prints it, prefixed with the tuple's {@code xmin} (the transaction
   * that last wrote it): equal dumps mean equal bytes and no rewrite in between.
   */
  public List<String> dump() {
    return query(
        "SELECT xmin, d::text FROM fraud_decisions d WHERE transaction_id LIKE ?"
            + " ORDER BY transaction_id",
        rows -> {
          List<String> dump = new ArrayList<>();
          while (rows.next()) {
            dump.add(rows.getString(1) + " " + rows.getString(2));
          }
          return dump;
        });
  }

  /** Every row as a decision, by transaction id. */
  public List<FraudDecision> decisions() {
    return query(
        "SELECT * FROM fraud_decisions WHERE transaction_id LIKE ? ORDER BY transaction_id",
        rows -> {
          List<FraudDecision> decisions = new ArrayList<>();
          while (rows.next()) {
            decisions.add(
                FraudDecision.newBuilder()
                    .setTransactionId(rows.getString("transaction_id"))
                    .setCustomerId(rows.getString("customer_id"))
                    .setEventTime(eventTime(rows))
                    .setDecision(Decision.valueOf(rows.getString("decision")))
                    .setScore(rows.getDouble("score"))
                    .setReasons(Arrays.asList((String[]) rows.getArray("reasons").getArray()))
                    .setModelVersion(rows.getString("model_version"))
                    .setFeatures(features(rows))
                    .build());
          }
          return decisions;
        });
  }

  /** Each customer's features from the view {@code customer_latest_features}. */
  public Map<String, CustomerFeatures> latestFeatures() {
    return query(
        "SELECT * FROM customer_latest_features WHERE customer_id LIKE ? ORDER BY customer_id",
        rows -> {
          Map<String, CustomerFeatures> latest = new LinkedHashMap<>();
          while (rows.next()) {
            latest.put(rows.getString("customer_id"), features(rows));
          }
          return latest;
        });
  }

  private boolean tableExists() {
    return query(
        "SELECT ? IS NOT NULL AND to_regclass('fraud_decisions') IS NOT NULL",
        rows -> {
          rows.next();
          return rows.getBoolean(1);
        });
  }

  private static CustomerFeatures features(ResultSet rows) throws SQLException {
    return CustomerFeatures.newBuilder()
        .setCustomerId(rows.getString("customer_id"))
        .setTransactionId(rows.getString("transaction_id"))
        .setEventTime(eventTime(rows))
        .setAmount(rows.getLong("amount"))
        .setPaymentsLast5m(rows.getInt("payments_last_5m"))
        .setPaymentsLast1h(rows.getInt("payments_last_1h"))
        .setAmountSum24h(rows.getLong("amount_sum_24h"))
        .setSecondsSincePrevious(rows.getObject("seconds_since_previous", Double.class))
        .setHourOfDay(rows.getInt("hour_of_day"))
        .setUnusualHour(rows.getBoolean("unusual_hour"))
        .setHistoryCount(rows.getLong("history_count"))
        .setAmountMean(rows.getDouble("amount_mean"))
        .setAmountStddev(rows.getDouble("amount_stddev"))
        .setAmountZscore(rows.getDouble("amount_zscore"))
        .setNewDevice(rows.getObject("new_device", Boolean.class))
        .setKmPerHourSincePrevious(rows.getObject("km_per_hour_since_previous", Double.class))
        .setKmFromHome(rows.getObject("km_from_home", Double.class))
        .setPaymentsLast2mExcess(rows.getObject("payments_last_2m_excess", Double.class))
        .setHoursFromUsual(rows.getObject("hours_from_usual", Integer.class))
        .setMerchantId(rows.getString("merchant_id"))
        .setPaymentDeclined(rows.getObject("payment_declined", Boolean.class))
        .setNewMerchant(rows.getObject("new_merchant", Boolean.class))
        .setMerchantPayments30m(rows.getObject("merchant_payments_30m", Integer.class))
        .setMerchantRisky30m(rows.getObject("merchant_risky_30m", Integer.class))
        .setMerchantRiskScore(rows.getObject("merchant_risk_score", Double.class))
        .setAmountVsMerchant(rows.getObject("amount_vs_merchant", Double.class))
        .build();
  }

  private static long eventTime(ResultSet rows) throws SQLException {
    return rows.getObject("event_time", OffsetDateTime.class).toInstant().toEpochMilli();
  }

  private <T> T query(String sql, RowsReader<T> reader) {
    try (Connection connection =
            DriverManager.getConnection(
                stack.jdbcUrl(), stack.postgresUser(), stack.postgresPassword());
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, prefix + "%");
      try (ResultSet rows = statement.executeQuery()) {
        return reader.read(rows);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Could not read the sink's rows", e);
    }
  }

  @FunctionalInterface
  private interface RowsReader<T> {
    T read(ResultSet rows) throws SQLException;
  }
}
