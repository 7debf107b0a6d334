package dev.paystream.io.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.paystream.io.secrets.Password;
import java.io.Serializable;
import java.time.Duration;

/**
 * Where and as whom the sink connects to PostgreSQL, and how many connections it pools per JVM.
 *
 * <p>The password is never part of this value (which travels with the pipeline and shows up in
 * logs and the runner's UI): only the name of the environment variable holding it is, and each
 * worker reads the variable when it opens its pool.
 *
 * @param jdbcUrl e.g. {@code jdbc:postgresql://127.0.0.1:5432/postgres}; TLS and other driver
 *     settings go in its parameters ({@code ?sslmode=verify-full})
 * @param user the database user
 * @param passwordEnv the environment variable with the password; null or blank for none (e.g.
 *     {@code trust} or certificate authentication)
 * @param poolSize connections pooled per JVM, shared by all the sink's threads
 * @param connectTimeoutMillis how long one attempt to get a connection waits before it fails and
 *     the sink's retry policy takes over
 * @param passwordFile a file holding the password, read when {@code passwordEnv} is unset; null or
 *     blank for none
 */
public record PostgresConnection(
    String jdbcUrl, String user, String passwordEnv, int poolSize, long connectTimeoutMillis, String passwordFile)
    implements Serializable {

  /** Connections per JVM unless set: enough for the DirectRunner's and a TaskManager's threads. */
  public static final int DEFAULT_POOL_SIZE = 4;
  /**
   * Milliseconds one connection attempt waits unless set: short, so that a down server surfaces
   * quickly to the sink's own retries, which log, count and back off; the long waiting happens
   * there.
   */
  public static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 5_000;
  /** HikariCP's lower bound for the connection timeout. */
  private static final long MIN_CONNECT_TIMEOUT_MILLIS = 250;

  /** Checks the arguments. */
  public PostgresConnection {
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("Not a PostgreSQL JDBC URL: " + jdbcUrl);
    }
    if (poolSize < 1) {
      throw new IllegalArgumentException("poolSize must be at least 1, got " + poolSize);
    }
    if (connectTimeoutMillis < MIN_CONNECT_TIMEOUT_MILLIS) {
      throw new IllegalArgumentException(
          "connectTimeoutMillis must be at least "
              + MIN_CONNECT_TIMEOUT_MILLIS
              + ", got "
              + connectTimeoutMillis);
    }
  }

  /** Without a password file, as before there was one. */
  public PostgresConnection(
      String jdbcUrl, String user, String passwordEnv, int poolSize, long connectTimeoutMillis) {
    this(jdbcUrl, user, passwordEnv, poolSize, connectTimeoutMillis, null);
  }

  /** A connection without password and with {@value #DEFAULT_POOL_SIZE} pooled connections. */
  public static PostgresConnection of(String jdbcUrl, String user) {
    return new PostgresConnection(
        jdbcUrl, user, null, DEFAULT_POOL_SIZE, DEFAULT_CONNECT_TIMEOUT_MILLIS, null);
  }

  /** The connection {@code options} describe. */
  public static PostgresConnection from(PostgresSinkOptions options) {
    return of(options.getPostgresJdbcUrl(), options.getPostgresUser())
        .withPasswordFromEnv(options.getPostgresPasswordEnv())
        .withPasswordFromFile(options.getPostgresPasswordFile())
        .withPoolSize(options.getPostgresPoolSize())
        .withConnectTimeout(Duration.ofMillis(options.getPostgresConnectTimeoutMillis()));
  }

  /** The same, with the password read from the environment variable {@code variable}. */
  public PostgresConnection withPasswordFromEnv(String variable) {
    return new PostgresConnection(jdbcUrl, user, variable, poolSize, connectTimeoutMillis, passwordFile);
  }

  /**
   * The same, with the password read from the file {@code path} (on each worker) when the
   * environment variable is unset.
   */
  public PostgresConnection withPasswordFromFile(String path) {
    return new PostgresConnection(jdbcUrl, user, passwordEnv, poolSize, connectTimeoutMillis, path);
  }

  /** The same, with {@code size} pooled connections per JVM. */
  public PostgresConnection withPoolSize(int size) {
    return new PostgresConnection(jdbcUrl, user, passwordEnv, size, connectTimeoutMillis, passwordFile);
  }

  /** The same, with one attempt to get a connection waiting at most {@code timeout}. */
  public PostgresConnection withConnectTimeout(Duration timeout) {
    return new PostgresConnection(jdbcUrl, user, passwordEnv, poolSize, timeout.toMillis(), passwordFile);
  }

  /** Opens a pool; it starts even while the server is down, so callers can wait for it. */
  HikariDataSource openPool() {
    HikariConfig config = new HikariConfig();
    // Named, not looked up through DriverManager, which does not see drivers in a runner's
    // child-first user-code class loader (Flink).
    config.setDriverClassName("org.postgresql.Driver");
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    new Password(passwordEnv, passwordFile).read().ifPresent(config::setPassword);
    config.setMaximumPoolSize(poolSize);
    config.setPoolName("paystream-postgres");
    config.setInitializationFailTimeout(-1);
    config.setConnectionTimeout(connectTimeoutMillis);
    // Without a socket timeout, a server host that vanishes without resetting the connection
    // would block a write for ever; a batch upsert takes milliseconds.
    config.addDataSourceProperty("socketTimeout", "60");
    return new HikariDataSource(config);
  }
}
