package dev.paystream.io.postgres;

import dev.paystream.schemas.metrics.PaystreamMetrics;
import dev.paystream.io.retry.RetryPolicy;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.PaymentStats;
import java.time.Duration;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * Upserts records into a PostgreSQL table with Beam's {@link JdbcIO} over a HikariCP pool: fraud
 * decisions into {@code fraud_decisions} (one row per transaction), windowed statistics into {@code
 * payment_stats} (one row per key and window).
 *
 * <pre>{@code
 * decisions.apply("WriteDecisionsToPostgres", UpsertToPostgres.decisions(options));
 * stats.apply("WriteStatsToPostgres", UpsertToPostgres.paymentStats(options));
 * }</pre>
 *
 * <p><b>Idempotent.</b> The sink is at-least-once (a bundle retried by the runner is written
 * again), so every write is an upsert on the table's natural key that changes a row only for newer
 * content: a replay changes no byte. See {@link FraudDecisionsTable} and {@link PaymentStatsTable}.
 *
 * <p><b>Schema.</b> The Flyway migrations in {@code db/migration} run when a worker opens its pool,
 * before its first write (once per JVM).
 *
 * <p><b>Outages.</b> While PostgreSQL is unreachable the writer holds its batch and retries under
 * the {@link RetryPolicy} (by default for ever, backing off up to 30 s), then carries on where it
 * stopped; nothing is lost and nothing is written twice. Counters, namespace {@value
 * #METRICS_NAMESPACE}: {@code connect_retries}, {@code connect_failures} (waiting for a
 * connection), {@code batch_retries} (a batch that failed mid-way and is sent again), {@code
 * migrate_retries}, {@code migrate_failures}. JdbcIO's own backoff between batch retries starts at
 * the policy's initial backoff and grows by half each time without the policy's cap; it is rarely
 * used more than once per outage, because the next attempt waits for a connection first.
 *
 * <p><b>Batching.</b> A bounded input is written in batches of up to {@code batchSize} per
 * bundle; a streaming input is gathered into batches of up to {@code batchSize} or whatever
 * arrived within {@code maxBatchDelay}, sharded by worker thread.
 */
public final class UpsertToPostgres<T> extends PTransform<PCollection<T>, PDone> {

  /** Namespace of the sink's Beam counters. */
  public static final String METRICS_NAMESPACE = "postgres";
  /** Rows per batch unless set. */
  public static final int DEFAULT_BATCH_SIZE = 500;
  /** Milliseconds a partial streaming batch waits unless set. */
  public static final long DEFAULT_MAX_BATCH_DELAY_MILLIS = 200;

  private static final RetryPolicy DEFAULT_RETRY =
      RetryPolicy.of(RetryPolicy.UNLIMITED, Duration.ofMillis(500), Duration.ofSeconds(30));
  // The policy's retry count is what bounds JdbcIO's batch retries, not their total wait.
  private static final org.joda.time.Duration NO_CUMULATIVE_LIMIT =
      org.joda.time.Duration.standardDays(365);

  private final PostgresTable<T> table;
  private final PostgresConnection connection;
  private final int batchSize;
  private final Duration maxBatchDelay;
  private final RetryPolicy retry;

  private UpsertToPostgres(
      PostgresTable<T> table,
      PostgresConnection connection,
      int batchSize,
      Duration maxBatchDelay,
      RetryPolicy retry) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
    this.table = table;
    this.connection = connection;
    this.batchSize = batchSize;
    this.maxBatchDelay = maxBatchDelay;
    this.retry = retry;
  }

  /**
   * Fraud decisions to the {@code fraud_decisions} table at {@code connection}, in batches of
   * {@value #DEFAULT_BATCH_SIZE} (streaming: or what arrived within {@value
   * #DEFAULT_MAX_BATCH_DELAY_MILLIS} ms), retrying for ever.
   */
  public static UpsertToPostgres<FraudDecision> decisions(PostgresConnection connection) {
    return into(new FraudDecisionsTable(), connection);
  }

  /** Fraud decisions to the {@code fraud_decisions} table, as {@code options} describe. */
  public static UpsertToPostgres<FraudDecision> decisions(PostgresSinkOptions options) {
    return decisions(PostgresConnection.from(options)).configuredBy(options);
  }

  /** Windowed statistics to the {@code payment_stats} table at {@code connection}, as {@link #decisions}. */
  public static UpsertToPostgres<PaymentStats> paymentStats(PostgresConnection connection) {
    return into(new PaymentStatsTable(), connection);
  }

  /** Windowed statistics to the {@code payment_stats} table, as {@code options} describe. */
  public static UpsertToPostgres<PaymentStats> paymentStats(PostgresSinkOptions options) {
    return paymentStats(PostgresConnection.from(options)).configuredBy(options);
  }

  private static <T> UpsertToPostgres<T> into(PostgresTable<T> table, PostgresConnection connection) {
    return new UpsertToPostgres<>(
        table,
        connection,
        DEFAULT_BATCH_SIZE,
        Duration.ofMillis(DEFAULT_MAX_BATCH_DELAY_MILLIS),
        DEFAULT_RETRY);
  }

  private UpsertToPostgres<T> configuredBy(PostgresSinkOptions options) {
    return withBatching(
            options.getPostgresBatchSize(),
            Duration.ofMillis(options.getPostgresMaxBatchDelayMillis()))
        .withRetry(
            RetryPolicy.of(
                options.getPostgresMaxRetries(),
                Duration.ofMillis(options.getPostgresInitialBackoffMillis()),
                Duration.ofMillis(options.getPostgresMaxBackoffMillis())));
  }

  /** Batches of up to {@code size} rows; a streaming batch waits at most {@code maxDelay}. */
  public UpsertToPostgres<T> withBatching(int size, Duration maxDelay) {
    return new UpsertToPostgres<>(table, connection, size, maxDelay, retry);
  }

  /** How long to keep trying while PostgreSQL is unreachable. */
  public UpsertToPostgres<T> withRetry(RetryPolicy policy) {
    return new UpsertToPostgres<>(table, connection, batchSize, maxBatchDelay, policy);
  }

  @Override
  public PDone expand(PCollection<T> rows) {
    PostgresTable<T> table = this.table;
    return rows.apply(
        "Upsert",
        JdbcIO.<T>write()
            .withDataSourceProviderFn(new MigratedPools(connection, retry))
            .withStatement(table.upsert())
            .withPreparedStatementSetter(
                (row, statement) -> {
                  table.bind(row, statement);
                  // Rows bound into a batch: a retried batch binds (and counts) them again.
                  PaystreamMetrics.SINK_WRITES.labelValues(METRICS_NAMESPACE).inc();
                })
            .withBatchSize(batchSize)
            .withMaxBatchBufferingDuration(maxBatchDelay.toMillis())
            .withAutoSharding()
            .withRetryStrategy(batchRetryStrategy())
            .withRetryConfiguration(
                JdbcIO.RetryConfiguration.create(
                    jdbcMaxAttempts(),
                    NO_CUMULATIVE_LIMIT,
                    org.joda.time.Duration.millis(retry.initialBackoff().toMillis()))));
  }

  private JdbcIO.RetryStrategy batchRetryStrategy() {
    // JdbcIO insists on at least one attempt in its configuration, so "no retries" is expressed
    // by a strategy that retries nothing.
    return retry.maxRetries() == 0 ? failure -> false : new TransientSqlFailures();
  }

  private int jdbcMaxAttempts() {
    return retry.maxRetries() == RetryPolicy.UNLIMITED
        ? Integer.MAX_VALUE
        : Math.max(1, retry.maxRetries());
  }
}
