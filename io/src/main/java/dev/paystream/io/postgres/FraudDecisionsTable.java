package dev.paystream.io.postgres;

import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.FraudDecision;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The {@code fraud_decisions} table: one row per transaction, the decision and the features it
 * was made on. The decision's transaction id, customer id and event time are those of its features
 * (the model copies them), so they are stored once.
 *
 * <p>A row is replaced only when some column differs, so a replay does not even rewrite the tuple
 * (its {@code xmin} stays, no dead tuple is left for vacuum). A changed decision for the same
 * transaction, e.g. from a new model version, does replace the row.
 */
final class FraudDecisionsTable extends PostgresTable<FraudDecision> {

  private static final long serialVersionUID = 1L;

  private static final List<Column<FraudDecision>> COLUMNS =
      List.of(
          new Column<>("transaction_id", (d, s, i) -> s.setString(i, d.getTransactionId())),
          new Column<>("customer_id", (d, s, i) -> s.setString(i, d.getCustomerId())),
          new Column<>("event_time", (d, s, i) -> s.setObject(i, SqlValues.utc(d.getEventTime()))),
          new Column<>("decision", (d, s, i) -> s.setString(i, d.getDecision().name())),
          new Column<>("score", (d, s, i) -> s.setDouble(i, d.getScore())),
          new Column<>("reasons", (d, s, i) -> s.setObject(i, d.getReasons().toArray(String[]::new))),
          new Column<>("model_version", (d, s, i) -> s.setString(i, d.getModelVersion())),
          feature("amount", (f, s, i) -> s.setLong(i, f.getAmount())),
          feature("payments_last_5m", (f, s, i) -> s.setInt(i, f.getPaymentsLast5m())),
          feature("payments_last_1h", (f, s, i) -> s.setInt(i, f.getPaymentsLast1h())),
          feature("amount_sum_24h", (f, s, i) -> s.setLong(i, f.getAmountSum24h())),
          feature("seconds_since_previous", (f, s, i) -> SqlValues.setDouble(s, i, f.getSecondsSincePrevious())),
          feature("hour_of_day", (f, s, i) -> s.setInt(i, f.getHourOfDay())),
          feature("unusual_hour", (f, s, i) -> s.setBoolean(i, f.getUnusualHour())),
          feature("history_count", (f, s, i) -> s.setLong(i, f.getHistoryCount())),
          feature("amount_mean", (f, s, i) -> s.setDouble(i, f.getAmountMean())),
          feature("amount_stddev", (f, s, i) -> s.setDouble(i, f.getAmountStddev())),
          feature("amount_zscore", (f, s, i) -> s.setDouble(i, f.getAmountZscore())),
          // V4__device_and_place_features.sql
          feature("new_device", (f, s, i) -> SqlValues.setBoolean(s, i, f.getNewDevice())),
          feature("km_per_hour_since_previous", (f, s, i) -> SqlValues.setDouble(s, i, f.getKmPerHourSincePrevious())),
          // V5__burst_and_distance_features.sql
          feature("km_from_home", (f, s, i) -> SqlValues.setDouble(s, i, f.getKmFromHome())),
          feature("payments_last_2m_excess", (f, s, i) -> SqlValues.setDouble(s, i, f.getPaymentsLast2mExcess())),
          feature("hours_from_usual", (f, s, i) -> SqlValues.setInteger(s, i, f.getHoursFromUsual())),
          // V6__merchant_features.sql
          feature("merchant_id", (f, s, i) -> s.setString(i, f.getMerchantId())),
          feature("payment_declined", (f, s, i) -> SqlValues.setBoolean(s, i, f.getPaymentDeclined())),
          feature("new_merchant", (f, s, i) -> SqlValues.setBoolean(s, i, f.getNewMerchant())),
          feature("merchant_payments_30m", (f, s, i) -> SqlValues.setInteger(s, i, f.getMerchantPayments30m())),
          feature("merchant_risky_30m", (f, s, i) -> SqlValues.setInteger(s, i, f.getMerchantRisky30m())),
          feature("merchant_risk_score", (f, s, i) -> SqlValues.setDouble(s, i, f.getMerchantRiskScore())),
          feature("amount_vs_merchant", (f, s, i) -> SqlValues.setDouble(s, i, f.getAmountVsMerchant())));

  FraudDecisionsTable() {
    super("fraud_decisions", 1);
  }

  @Override
  List<Column<FraudDecision>> columns() {
    return COLUMNS;
  }

  @Override
  String replaceWhen() {
    return storedRow() + " IS DISTINCT FROM " + incomingRow();
  }

  private static Column<FraudDecision> feature(String name, FeatureBinder binder) {
    return new Column<>(name, (d, s, i) -> binder.bind(d.getFeatures(), s, i));
  }

  @FunctionalInterface
  private interface FeatureBinder {
    void bind(CustomerFeatures features, PreparedStatement statement, int index)
        throws SQLException;
  }
}
