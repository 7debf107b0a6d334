package dev.paystream.pipelines.serve;

import dev.paystream.io.postgres.PostgresConnection;
import dev.paystream.io.redis.RedisConnection;
import java.time.Duration;

/**
 * What a {@link QueryServer} listens on and reads from. The stores are described by the same
 * {@link PostgresConnection} and {@link RedisConnection} as the pipelines' sinks: passwords come
 * from environment variables or files they name, never from the command line.
 *
 * @param host the address to listen on ({@code 0.0.0.0}: every interface)
 * @param port the port; 0 takes a free one ({@link QueryServer#url()} tells which)
 * @param threads requests served at once
 * @param defaultPageSize rows a list returns without {@code limit}
 * @param maxPageSize the largest {@code limit} accepted
 * @param queryTimeoutSeconds how long one SQL query may take
 */
public record QueryConfig(
    String host,
    int port,
    int threads,
    int defaultPageSize,
    int maxPageSize,
    int queryTimeoutSeconds,
    PostgresConnection postgres,
    RedisConnection redis) {

  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_THREADS = 16;
  public static final int DEFAULT_PAGE_SIZE = 20;
  public static final int MAX_PAGE_SIZE = 200;
  public static final int QUERY_TIMEOUT_SECONDS = 5;
  /** Pooled PostgreSQL connections: the busiest threads' worth, not one per thread. */
  public static final int POSTGRES_POOL_SIZE = 8;
  /** Short: a down PostgreSQL should give a 503 (and a failed health check) within a second. */
  public static final long POSTGRES_CONNECT_TIMEOUT_MILLIS = 1_000;

  /** Checks the arguments. */
  public QueryConfig {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    if (maxPageSize < 1 || defaultPageSize < 1 || defaultPageSize > maxPageSize) {
      throw new IllegalArgumentException(
          "page sizes must satisfy 1 <= default <= max, got " + defaultPageSize + " and " + maxPageSize);
    }
    if (queryTimeoutSeconds < 1) {
      throw new IllegalArgumentException("queryTimeoutSeconds must be at least 1, got " + queryTimeoutSeconds);
    }
  }

  /** The defaults, on {@code host:port}, reading the given stores. */
  public static QueryConfig of(String host, int port, PostgresConnection postgres, RedisConnection redis) {
    return new QueryConfig(
        host,
        port,
        DEFAULT_THREADS,
        DEFAULT_PAGE_SIZE,
        MAX_PAGE_SIZE,
        QUERY_TIMEOUT_SECONDS,
        postgres.withPoolSize(POSTGRES_POOL_SIZE).withConnectTimeout(Duration.ofMillis(POSTGRES_CONNECT_TIMEOUT_MILLIS)),
        redis);
  }
}
