package dev.paystream.io.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.Decision;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.PaymentStats;
import dev.paystream.schemas.StatsDimension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.Schema.Field;

/**
 * Reads what the PostgreSQL sinks wrote, for a query service: a customer's latest features
 * ({@code customer_latest_features}), their decisions, one decision, a key's windowed statistics.
 * Every query is a prepared statement with bound parameters and a row limit.
 *
 * <p>The pool is opened from the same {@link PostgresConnection} as the sinks', so the address,
 * user and the password's environment variable are configured (and kept out of logs) the same way.
 * It reads only: the schema is the pipelines' to migrate.
 */
public final class ServingQueries implements AutoCloseable {

  private static final String DECISION_COLUMNS =
      "transaction_id, customer_id, event_time, decision, score, reasons, model_version, "
          + featureColumns();

  private final HikariDataSource pool;
  private final int queryTimeoutSeconds;

  private ServingQueries(HikariDataSource pool, int queryTimeoutSeconds) {
    this.pool = pool;
    this.queryTimeoutSeconds = queryTimeoutSeconds;
  }

  /**
   * Opens a pool (it starts even while the server is down); each query waits at most {@code
   * queryTimeoutSeconds} for its result.
   */
  public static ServingQueries open(PostgresConnection connection, int queryTimeoutSeconds) {
    if (queryTimeoutSeconds < 1) {
      throw new IllegalArgumentException("queryTimeoutSeconds must be at least 1, got " + queryTimeoutSeconds);
    }
    return new ServingQueries(connection.openPool(), queryTimeoutSeconds);
  }

  /** Succeeds when the server answers a query; for health checks. */
  public void ping() throws SQLException {
    try (Connection connection = pool.getConnection();
        PreparedStatement statement = prepare(connection, "SELECT 1");
        ResultSet row = statement.executeQuery()) {
      row.next();
    }
  }

  /** The features of the customer's newest decided payment, if the customer has any. */
  public Optional<CustomerFeatures> latestFeatures(String customerId) throws SQLException {
    List<CustomerFeatures> features =
        query(
            "SELECT " + featureColumns() + " FROM customer_latest_features WHERE customer_id = ?",
            ServingQueries::features,
            1,
            customerId);
    return features.stream().findFirst();
  }

  /** The customer's newest {@code limit} decisions, newest first (ties: greatest transaction id). */
  public List<FraudDecision> decisionsOf(String customerId, int limit) throws SQLException {
    return query(
        "SELECT " + DECISION_COLUMNS + " FROM fraud_decisions WHERE customer_id = ?"
            + " ORDER BY event_time DESC, transaction_id DESC LIMIT ?",
        ServingQueries::decision,
        positive(limit),
        customerId,
        limit);
  }

  /** The decision on one payment, if it was decided. */
  public Optional<FraudDecision> decision(String transactionId) throws SQLException {
    return query(
            "SELECT " + DECISION_COLUMNS + " FROM fraud_decisions WHERE transaction_id = ?",
            ServingQueries::decision,
            1,
            transactionId)
        .stream()
        .findFirst();
  }

  /**
   * The key's windows that start in {@code [from, to)}, in window order, at most {@code limit}: each
   * as of its latest pane.
   */
  public List<PaymentStats> stats(StatsDimension dimension, String key, Instant from, Instant to, int limit)
      throws SQLException {
    return query(
        "SELECT * FROM payment_stats WHERE dimension = ? AND key = ? AND window_start >= ? AND window_start < ?"
            + " ORDER BY window_start, window_end LIMIT ?",
        StoredPaymentStats::stats,
        positive(limit),
        dimension.name(),
        key,
        OffsetDateTime.ofInstant(from, ZoneOffset.UTC),
        OffsetDateTime.ofInstant(to, ZoneOffset.UTC),
        limit);
  }

  @Override
  public void close() {
    pool.close();
  }

  @FunctionalInterface
  private interface RowReader<T> {
    T read(ResultSet row) throws SQLException;
  }

  private <T> List<T> query(String sql, RowReader<T> reader, int maxRows, Object... parameters)
      throws SQLException {
    try (Connection connection = pool.getConnection();
        PreparedStatement statement = prepare(connection, sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      statement.setMaxRows(maxRows);
      List<T> rows = new ArrayList<>();
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          rows.add(reader.read(result));
        }
      }
      return rows;
    }
  }

  private PreparedStatement prepare(Connection connection, String sql) throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    statement.setQueryTimeout(queryTimeoutSeconds);
    return statement;
  }

  private static FraudDecision decision(ResultSet row) throws SQLException {
    return FraudDecision.newBuilder()
        .setTransactionId(row.getString("transaction_id"))
        .setCustomerId(row.getString("customer_id"))
        .setEventTime(epochMillis(row, "event_time"))
        .setDecision(Decision.valueOf(row.getString("decision")))
        .setScore(row.getDouble("score"))
        .setReasons(Arrays.asList((String[]) row.getArray("reasons").getArray()))
        .setModelVersion(row.getString("model_version"))
        .setFeatures(features(row))
        .build();
  }

  /**
   * The features in a row of {@code fraud_decisions} or {@code customer_latest_features}, whose
   * columns are named as the {@link CustomerFeatures} fields (the sink writes them so).
   */
  private static CustomerFeatures features(ResultSet row) throws SQLException {
    CustomerFeatures features = new CustomerFeatures();
    for (Field field : CustomerFeatures.getClassSchema().getFields()) {
      features.put(field.pos(), column(row, field));
    }
    return features;
  }

  private static Object column(ResultSet row, Field field) throws SQLException {
    String name = field.name();
    if (name.equals("event_time")) {
      return epochMillis(row, name);
    }
    return switch (nonNull(field.schema())) {
      case STRING -> row.getString(name);
      case LONG -> row.getObject(name, Long.class);
      case INT -> row.getObject(name, Integer.class);
      case DOUBLE -> row.getObject(name, Double.class);
      case BOOLEAN -> row.getObject(name, Boolean.class);
      default -> throw new IllegalStateException("No column type for feature " + field);
    };
  }

  private static String featureColumns() {
    return String.join(
        ", ", CustomerFeatures.getClassSchema().getFields().stream().map(Field::name).toList());
  }

  private static Schema.Type nonNull(Schema schema) {
    return schema.getType() != Schema.Type.UNION
        ? schema.getType()
        : schema.getTypes().stream().map(Schema::getType).filter(t -> t != Schema.Type.NULL).findFirst().orElseThrow();
  }

  private static long epochMillis(ResultSet row, String column) throws SQLException {
    return row.getObject(column, OffsetDateTime.class).toInstant().toEpochMilli();
  }

  private static int positive(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    return limit;
  }
}
