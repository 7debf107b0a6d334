package dev.paystream.pipelines.serve;

import dev.paystream.io.postgres.PostgresConnection;
import dev.paystream.io.postgres.PostgresSinkOptions;
import dev.paystream.io.redis.RedisConnection;
import dev.paystream.io.redis.RedisSinkOptions;
import dev.paystream.pipelines.PipelineMain;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The query service's main: serves the fraud decisions, customer features and payment statistics
 * that the pipelines wrote to PostgreSQL and Redis, over HTTP, until stopped (SIGTERM or Ctrl-C).
 * The store options are the pipelines' own ({@link StoreOptions}: names, defaults, password
 * variables and files, TLS), so one set of addresses and secrets serves both.
 *
 * <pre>mvn -B -q -pl pipelines exec:java -Dexec.mainClass=dev.paystream.pipelines.serve.QueryService -Dexec.args="--port=8080"</pre>
 */
@Command(
    name = "query-service",
    mixinStandardHelpOptions = true,
    description = "Serves fraud decisions, customer features and payment statistics over HTTP (GET, JSON).",
    defaultValueProvider = PipelineDefaults.class)
public final class QueryService implements Callable<Integer> {

  /** The pipelines' PostgreSQL and Redis options, which the query service reads its stores by. */
  public interface StoreOptions extends PostgresSinkOptions, RedisSinkOptions {}

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

  @Option(names = "--postgresPoolSize", defaultValue = "" + QueryConfig.POSTGRES_POOL_SIZE, description = "Pooled PostgreSQL connections. Default: ${DEFAULT-VALUE}")
  int postgresPoolSize;

  @Option(names = "--postgresConnectTimeoutMillis", defaultValue = "" + QueryConfig.POSTGRES_CONNECT_TIMEOUT_MILLIS, description = "How long a request waits for a PostgreSQL connection before a 503. Default: ${DEFAULT-VALUE}")
  long postgresConnectTimeoutMillis;

  // The stores: the pipelines' sink options themselves, so that one set of addresses, password
  // variables or files and certificates serves both, and PostgresConnection.from and
  // RedisConnection.from build the clients as the sinks do. Each option below sets one of them;
  // unset, it keeps the pipelines' default, which PipelineDefaults shows in --help.
  private final StoreOptions stores = PipelineOptionsFactory.as(StoreOptions.class);

  @Option(names = "--postgresJdbcUrl", description = "JDBC URL of the pipelines' PostgreSQL; TLS in its parameters, e.g. ?sslmode=verify-full&sslrootcert=<CA PEM file>. Default: ${DEFAULT-VALUE}")
  void postgresJdbcUrl(String value) {
    stores.setPostgresJdbcUrl(value);
  }

  @Option(names = "--postgresUser", description = "PostgreSQL user (read access is enough). Default: ${DEFAULT-VALUE}")
  void postgresUser(String value) {
    stores.setPostgresUser(value);
  }

  @Option(names = "--postgresPasswordEnv", description = "Name of the environment variable holding the PostgreSQL password; a set variable wins over --postgresPasswordFile. Default: ${DEFAULT-VALUE}")
  void postgresPasswordEnv(String value) {
    stores.setPostgresPasswordEnv(value);
  }

  @Option(names = "--postgresPasswordFile", description = "File holding the PostgreSQL password, read when the variable is unset; empty: none. Default: '${DEFAULT-VALUE}'")
  void postgresPasswordFile(String value) {
    stores.setPostgresPasswordFile(value);
  }

  @Option(names = "--redisUrl", description = "Redis URL of the feature store, redis://host:port[/db] or rediss:// for TLS; no password in it. Default: ${DEFAULT-VALUE}")
  void redisUrl(String value) {
    stores.setRedisUrl(value);
  }

  @Option(names = "--redisPasswordEnv", description = "Name of the environment variable holding the Redis password; a set variable wins over --redisPasswordFile. Default: ${DEFAULT-VALUE}")
  void redisPasswordEnv(String value) {
    stores.setRedisPasswordEnv(value);
  }

  @Option(names = "--redisPasswordFile", description = "File holding the Redis password, read when the variable is unset; empty: none. Default: '${DEFAULT-VALUE}'")
  void redisPasswordFile(String value) {
    stores.setRedisPasswordFile(value);
  }

  @Option(names = "--redisTrustedCertificate", description = "PEM file of the certificate authority a rediss:// server's certificate must chain to (its host name is verified too); empty: the JVM's trust store. Default: '${DEFAULT-VALUE}'")
  void redisTrustedCertificate(String value) {
    stores.setRedisTrustedCertificate(value);
  }

  /** Exits 0 when stopped by a signal, 2 for bad arguments, 1 if the service could not start. */
  public static void main(String[] args) {
    PipelineMain.exit(QueryService.class, () -> new CommandLine(new QueryService()).execute(args));
  }

  /** The configuration the options describe. */
  QueryConfig config() {
    PostgresConnection postgres =
        PostgresConnection.from(stores)
            .withPoolSize(postgresPoolSize)
            .withConnectTimeout(Duration.ofMillis(postgresConnectTimeoutMillis));
    return new QueryConfig(
        host, port, threads, defaultPageSize, maxPageSize, queryTimeoutSeconds, postgres, RedisConnection.from(stores));
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
