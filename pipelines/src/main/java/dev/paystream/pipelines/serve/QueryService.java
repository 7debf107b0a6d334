package dev.paystream.pipelines.serve;

import dev.paystream.io.postgres.PostgresConnection;
import dev.paystream.io.redis.RedisConnection;
import dev.paystream.pipelines.PipelineMain;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The query service's main: serves the fraud decisions, customer features and payment statistics
 * that the pipelines wrote to PostgreSQL and Redis, over HTTP, until stopped (SIGTERM or Ctrl-C).
 * The store options have the pipelines' names and defaults ({@code QueryServiceTest} checks them),
 * so one set of addresses serves both.
 *
 * <pre>mvn -B -q -pl pipelines exec:java -Dexec.mainClass=dev.paystream.pipelines.serve.QueryService -Dexec.args="--port=8080"</pre>
 */
@Command(
    name = "query-service",
    mixinStandardHelpOptions = true,
    description = "Serves fraud decisions, customer features and payment statistics over HTTP (GET, JSON).")
public final class QueryService implements Callable<Integer> {

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on; 0.0.0.0 for every interface (containers). Default: ${DEFAULT-VALUE}")
  String host;

  @Option(names = "--port", defaultValue = "" + QueryConfig.DEFAULT_PORT, description = "Port to listen on; 0 takes a free one. Default: ${DEFAULT-VALUE}")
  int port;

  @Option(names = "--threads", defaultValue = "" + QueryConfig.DEFAULT_THREADS, description = "Requests served at once. Default: ${DEFAULT-VALUE}")
  int threads;

  @Option(names = "--defaultPageSize", defaultValue = "" + QueryConfig.DEFAULT_PAGE_SIZE, description = "Rows a list returns without ?limit=. Default: ${DEFAULT-VALUE}")
  int defaultPageSize;

  @Option(names = "--maxPageSize", defaultValue = "" + QueryConfig.MAX_PAGE_SIZE, description = "Largest ?limit= accepted. Default: ${DEFAULT-VALUE}")
  int maxPageSize;

  @Option(names = "--queryTimeoutSeconds", defaultValue = "" + QueryConfig.QUERY_TIMEOUT_SECONDS, description = "Longest time one SQL query may take. Default: ${DEFAULT-VALUE}")
  int queryTimeoutSeconds;

  @Option(names = "--postgresJdbcUrl", defaultValue = "jdbc:postgresql://127.0.0.1:5432/postgres", description = "JDBC URL of the pipelines' PostgreSQL (driver settings such as sslmode in its parameters). Default: ${DEFAULT-VALUE}")
  String postgresJdbcUrl;

  @Option(names = "--postgresUser", defaultValue = "postgres", description = "PostgreSQL user (read access is enough). Default: ${DEFAULT-VALUE}")
  String postgresUser;

  @Option(names = "--postgresPasswordEnv", defaultValue = "PAYSTREAM_POSTGRES_PASSWORD", description = "Name of the environment variable holding the PostgreSQL password; unset: none. Default: ${DEFAULT-VALUE}")
  String postgresPasswordEnv;

  @Option(names = "--postgresPoolSize", defaultValue = "" + QueryConfig.POSTGRES_POOL_SIZE, description = "Pooled PostgreSQL connections. Default: ${DEFAULT-VALUE}")
  int postgresPoolSize;

  @Option(names = "--postgresConnectTimeoutMillis", defaultValue = "" + QueryConfig.POSTGRES_CONNECT_TIMEOUT_MILLIS, description = "How long a request waits for a PostgreSQL connection before a 503. Default: ${DEFAULT-VALUE}")
  long postgresConnectTimeoutMillis;

  @Option(names = "--redisUrl", defaultValue = "redis://127.0.0.1:6379", description = "Redis URL of the feature store, redis://host:port[/db] or rediss:// for TLS; no password in it. Default: ${DEFAULT-VALUE}")
  String redisUrl;

  @Option(names = "--redisPasswordEnv", defaultValue = "PAYSTREAM_REDIS_PASSWORD", description = "Name of the environment variable holding the Redis password; unset: none. Default: ${DEFAULT-VALUE}")
  String redisPasswordEnv;

  /** Exits 0 when stopped by a signal, 2 for bad arguments, 1 if the service could not start. */
  public static void main(String[] args) {
    PipelineMain.exit(QueryService.class, () -> new CommandLine(new QueryService()).execute(args));
  }

  /** The configuration the options describe. */
  QueryConfig config() {
    PostgresConnection postgres =
        PostgresConnection.of(postgresJdbcUrl, postgresUser)
            .withPasswordFromEnv(postgresPasswordEnv)
            .withPoolSize(postgresPoolSize)
            .withConnectTimeout(Duration.ofMillis(postgresConnectTimeoutMillis));
    RedisConnection redis = RedisConnection.of(redisUrl).withPasswordFromEnv(redisPasswordEnv);
    return new QueryConfig(host, port, threads, defaultPageSize, maxPageSize, queryTimeoutSeconds, postgres, redis);
  }

  @Override
  public Integer call() throws Exception {
    QueryServer server = QueryServer.start(config());
    PipelineMain.closeOnShutdown("the query service", server);
    System.out.println("Query service listening on " + server.url() + " (GET /openapi.json describes it)");
    // Nothing counts this down: the JVM exits once the shutdown hook has closed the server.
    new CountDownLatch(1).await();
    return 0;
  }
}
