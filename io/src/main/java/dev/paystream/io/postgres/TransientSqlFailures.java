package dev.paystream.io.postgres;

import dev.paystream.schemas.metrics.PaystreamMetrics;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.util.Set;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * Tells the failures worth retrying (the server is unreachable, restarting, out of connections,
 * or chose this transaction as a deadlock victim) from those that would fail again (bad data, a
 * missing table). As a {@link JdbcIO.RetryStrategy} it decides whether JdbcIO retries a batch.
 */
final class TransientSqlFailures implements JdbcIO.RetryStrategy {

  private static final long serialVersionUID = 1L;

  /** SQLSTATE classes 08 connection exception, 40 transaction rollback, 53 out of resources. */
  private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "40", "53");

  /** SQLSTATEs of class 57: admin shutdown, crash shutdown, cannot connect now (starting up). */
  private static final Set<String> TRANSIENT_STATES = Set.of("57P01", "57P02", "57P03");

  private static final Counter BATCH_RETRIES =
      Metrics.counter(UpsertToPostgres.METRICS_NAMESPACE, "batch_retries");

  static {
    PaystreamMetrics.SINK_RETRIES.labelValues(UpsertToPostgres.METRICS_NAMESPACE, "batch");
  }

  /** Whether {@code failure}, or any exception it was caused by, is transient. */
  static boolean isTransient(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientException) {
        return true;
      }
      if (t instanceof SQLException sql && isTransientState(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  private static boolean isTransientState(String state) {
    return state != null
        && state.length() == 5
        && (TRANSIENT_CLASSES.contains(state.substring(0, 2)) || TRANSIENT_STATES.contains(state));
  }

  @Override
  public boolean apply(SQLException failure) {
    boolean retry = isTransient(failure);
    if (retry) {
      BATCH_RETRIES.inc();
      PaystreamMetrics.SINK_RETRIES.labelValues(UpsertToPostgres.METRICS_NAMESPACE, "batch").inc();
    }
    return retry;
  }
}
