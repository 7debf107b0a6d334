package dev.paystream.io.postgres;

import dev.paystream.io.retry.RetryPolicy;
import dev.paystream.schemas.FraudDecision;
import java.time.Duration;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * Upserts fraud decisions into the PostgreSQL table {@code fraud_decisions}, one row per
 * transaction, with Beam's {@link JdbcIO} over a HikariCP pool.
 *
 * <pre>{@code
 * decisions.apply("WriteDecisionsToPostgres", WriteDecisionsToPostgres.from(options));
 * }</pre>
 *
 * <p><b>Idempotent.</b> The sink is at-least-once (a bundle retried by the runner is written
 * again), so every write is an upsert on the transaction id that leaves an identical row
 * untouched: a replay changes no byte. See {@link FraudDecisionsTable#UPSERT}.
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
public final class WriteDecisionsToPostgres extends PTransform<PCollection<FraudDecision>, PDone> {

  /** Namespace of the sink's Beam counters. */
  public static final String METRICS_NAMESPACE = "postgres";
  /** Decisions per batch unless set. */
  public static final int DEFAULT_BATCH_SIZE = 500;
  /** Milliseconds a partial streaming batch waits unless set. */
  public static final long DEFAULT_MAX_BATCH_DELAY_MILLIS = 200;

  private static final RetryPolicy DEFAULT_RETRY =
      RetryPolicy.of(RetryPolicy.UNLIMITED, Duration.ofMillis(500), Duration.ofSeconds(30));
  // The policy's retry count is what bounds JdbcIO's batch retries, not their total wait.
  private static final org.joda.time.Duration NO_CUMULATIVE_LIMIT =
      org.joda.time.Duration.standardDays(365);

  private final PostgresConnection connection;
  private final int batchSize;
  private final Duration maxBatchDelay;
  private final RetryPolicy retry;

  private WriteDecisionsToPostgres(
      PostgresConnection connection, int batchSize, Duration maxBatchDelay, RetryPolicy retry) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
    this.connection = connection;
    this.batchSize = batchSize;
    this.maxBatchDelay = maxBatchDelay;
    this.retry = retry;
  }

  /**
   * Writes to {@code connection} in batches of {@value #DEFAULT_BATCH_SIZE} (streaming: or what
   * arrived within {@value #DEFAULT_MAX_BATCH_DELAY_MILLIS} ms), retrying for ever.
   */
  public static WriteDecisionsToPostgres to(PostgresConnection connection) {
    return new WriteDecisionsToPostgres(
        connection,
        DEFAULT_BATCH_SIZE,
        Duration.ofMillis(DEFAULT_MAX_BATCH_DELAY_MILLIS),
        DEFAULT_RETRY);
  }

  /** The sink as {@code options} describe it. */
  public static WriteDecisionsToPostgres from(PostgresSinkOptions options) {
    PostgresConnection connection =
        PostgresConnection.of(options.getPostgresJdbcUrl(), options.getPostgresUser())
            .withPasswordFromEnv(options.getPostgresPasswordEnv())
            .withPoolSize(options.getPostgresPoolSize());
    return to(connection)
        .withBatching(
            options.getPostgresBatchSize(),
            Duration.ofMillis(options.getPostgresMaxBatchDelayMillis()))
        .withRetry(
            RetryPolicy.of(
                options.getPostgresMaxRetries(),
                Duration.ofMillis(options.getPostgresInitialBackoffMillis()),
                Duration.ofMillis(options.getPostgresMaxBackoffMillis())));
  }

  /** Batches of up to {@code size} decisions; a streaming batch waits at most {@code maxDelay}. */
  public WriteDecisionsToPostgres withBatching(int size, Duration maxDelay) {
    return new WriteDecisionsToPostgres(connection, size, maxDelay, retry);
  }

  /** How long to keep trying while PostgreSQL is unreachable. */
  public WriteDecisionsToPostgres withRetry(RetryPolicy policy) {
    return new WriteDecisionsToPostgres(connection, batchSize, maxBatchDelay, policy);
  }

  @Override
  public PDone expand(PCollection<FraudDecision> decisions) {
    return decisions.apply(
        "Upsert",
        JdbcIO.<FraudDecision>write()
            .withDataSourceProviderFn(new MigratedPools(connection, retry))
            .withStatement(FraudDecisionsTable.UPSERT)
            .withPreparedStatementSetter(FraudDecisionsTable::bind)
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
