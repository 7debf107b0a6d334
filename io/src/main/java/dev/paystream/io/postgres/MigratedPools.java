package dev.paystream.io.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.paystream.io.retry.Retrier;
import dev.paystream.io.retry.RetryPolicy;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.sql.DataSource;
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * JdbcIO's data source provider: one pool per {@link PostgresConnection} and JVM, migrated to the
 * newest schema when it is first opened. JdbcIO calls it in each writer's {@code @Setup}, so the
 * migrations run once per worker JVM before its first write, never per bundle.
 *
 * <p>Every caller gets its connections through a {@link ReconnectingDataSource}, so a server
 * that is down at start-up or goes down later is waited for under the {@link RetryPolicy}.
 */
final class MigratedPools implements SerializableFunction<Void, DataSource> {

  private static final long serialVersionUID = 1L;

  // Static: a pool outlives the DoFn instances that share it, as JdbcIO's own providers do.
  private static final ConcurrentMap<PostgresConnection, DataSource> POOLS =
      new ConcurrentHashMap<>();

  private final PostgresConnection connection;
  private final RetryPolicy retry;

  MigratedPools(PostgresConnection connection, RetryPolicy retry) {
    this.connection = connection;
    this.retry = retry;
  }

  @Override
  public DataSource apply(Void input) {
    DataSource pool = POOLS.computeIfAbsent(connection, this::openMigrated);
    return new ReconnectingDataSource(pool, retrier("connect"));
  }

  private DataSource openMigrated(PostgresConnection target) {
    HikariDataSource pool = target.openPool();
    try {
      retrier("migrate").call(() -> SchemaMigrations.migrate(pool));
      return pool;
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  private Retrier retrier(String operation) {
    return retry.retrier(
        UpsertToPostgres.METRICS_NAMESPACE, operation, TransientSqlFailures::isTransient);
  }
}
