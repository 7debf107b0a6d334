package dev.paystream.io.postgres;

import static java.util.stream.Collectors.joining;

import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.FraudDecision;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The {@code fraud_decisions} table (see {@code db/migration}): which column holds which field of
 * a {@link FraudDecision}, and the upsert that writes one.
 *
 * <p>The decision's transaction id, customer id and event time are those of its features (the
 * model copies them), so they are stored once.
 */
final class FraudDecisionsTable {

  /** The table's name. */
  static final String NAME = "fraud_decisions";

  private static final List<Column> COLUMNS =
      List.of(
          new Column("transaction_id", (d, s, i) -> s.setString(i, d.getTransactionId())),
          new Column("customer_id", (d, s, i) -> s.setString(i, d.getCustomerId())),
          new Column("event_time", (d, s, i) -> s.setObject(i, utc(d.getEventTime()))),
          new Column("decision", (d, s, i) -> s.setString(i, d.getDecision().name())),
          new Column("score", (d, s, i) -> s.setDouble(i, d.getScore())),
          new Column("reasons", (d, s, i) -> s.setObject(i, d.getReasons().toArray(String[]::new))),
          new Column("model_version", (d, s, i) -> s.setString(i, d.getModelVersion())),
          feature("amount", (f, s, i) -> s.setLong(i, f.getAmount())),
          feature("payments_last_5m", (f, s, i) -> s.setInt(i, f.getPaymentsLast5m())),
          feature("payments_last_1h", (f, s, i) -> s.setInt(i, f.getPaymentsLast1h())),
          feature("amount_sum_24h", (f, s, i) -> s.setLong(i, f.getAmountSum24h())),
          feature("seconds_since_previous", FraudDecisionsTable::bindSecondsSincePrevious),
          feature("hour_of_day", (f, s, i) -> s.setInt(i, f.getHourOfDay())),
          feature("unusual_hour", (f, s, i) -> s.setBoolean(i, f.getUnusualHour())),
          feature("history_count", (f, s, i) -> s.setLong(i, f.getHistoryCount())),
          feature("amount_mean", (f, s, i) -> s.setDouble(i, f.getAmountMean())),
          feature("amount_stddev", (f, s, i) -> s.setDouble(i, f.getAmountStddev())),
          feature("amount_zscore", (f, s, i) -> s.setDouble(i, f.getAmountZscore())));

  /**
   * Inserts a decision, or updates the row of its transaction. The {@code WHERE} skips the update
   * when every column already holds the incoming value, so a replay does not even rewrite the
   * tuple (its {@code xmin} stays, no dead tuple is left for vacuum). A changed decision for the
   * same transaction, e.g. from a new model version, does replace the row.
   */
  static final String UPSERT = upsert();

  private FraudDecisionsTable() {}

  /** Binds {@code decision} to the parameters of {@link #UPSERT}. */
  static void bind(FraudDecision decision, PreparedStatement statement) throws SQLException {
    for (int i = 0; i < COLUMNS.size(); i++) {
      COLUMNS.get(i).binder().bind(decision, statement, i + 1);
    }
  }

  private static String upsert() {
    String names = COLUMNS.stream().map(Column::name).collect(joining(", "));
    String placeholders = COLUMNS.stream().map(c -> "?").collect(joining(", "));
    List<String> updated = COLUMNS.stream().skip(1).map(Column::name).toList();
    return "INSERT INTO " + NAME + " (" + names + ") VALUES (" + placeholders + ")"
        + " ON CONFLICT (transaction_id) DO UPDATE SET "
        + updated.stream().map(c -> c + " = EXCLUDED." + c).collect(joining(", "))
        + " WHERE (" + updated.stream().map(c -> NAME + "." + c).collect(joining(", ")) + ")"
        + " IS DISTINCT FROM ("
        + updated.stream().map(c -> "EXCLUDED." + c).collect(joining(", ")) + ")";
  }

  private static OffsetDateTime utc(long epochMillis) {
    return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
  }

  private static void bindSecondsSincePrevious(
      CustomerFeatures features, PreparedStatement statement, int index) throws SQLException {
    Double seconds = features.getSecondsSincePrevious();
    if (seconds == null) {
      statement.setNull(index, Types.DOUBLE);
    } else {
      statement.setDouble(index, seconds);
    }
  }

  private static Column feature(String name, FeatureBinder binder) {
    return new Column(name, (d, s, i) -> binder.bind(d.getFeatures(), s, i));
  }

  private record Column(String name, Binder binder) {}

  @FunctionalInterface
  private interface Binder {
    void bind(FraudDecision decision, PreparedStatement statement, int index) throws SQLException;
  }

  @FunctionalInterface
  private interface FeatureBinder {
    void bind(CustomerFeatures features, PreparedStatement statement, int index)
        throws SQLException;
  }
}
