package dev.paystream.io.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the three servers of a {@link LocalStack}, or none of them. */
final class StackStarter {

  private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

  private StackStarter() {}

  /**
   * Resolves the ports (0 picks a free one), then starts Redis, PostgreSQL and Kafka under {@code
   * dataDir}, or under a temporary directory if it is null. On failure, stops whatever started.
   * With {@code kafkaUsers} (null: a plain stack) every server is secured ({@link StackSecurity}).
   */
  static LocalStack start(int kafkaPort, int postgresPort, int redisPort, Path dataDir, List<String> kafkaUsers) {
    long startNanos = System.nanoTime();
    int[] free = Ports.pickFree(4);
    int kafka = resolve("Kafka", kafkaPort, "kafkaPort", free[0]);
    int postgres = resolve("PostgreSQL", postgresPort, "postgresPort", free[1]);
    int redis = resolve("Redis", redisPort, "redisPort", free[2]);
    int kafkaController = free[3];

    boolean temporary = dataDir == null;
    Path dir = temporary ? temporaryDataDir() : dataDir.toAbsolutePath();
    List<AutoCloseable> started = new ArrayList<>();
    CompletableFuture<LocalPostgres> postgresStart = null;
    try {
      StackSecurity security = kafkaUsers == null ? null : StackSecurity.create(dir.resolve("tls"), kafkaUsers);
      LocalRedis localRedis = LocalRedis.start(redis, dir.resolve("redis"), security);
      started.add(localRedis);
      // initdb and the postmaster are child processes, so PostgreSQL comes up while this thread
      // starts Kafka; on two cores that saves about two seconds.
      postgresStart = startPostgres(postgres, dir.resolve("postgres"), security);
      LocalKafka localKafka = LocalKafka.start(kafka, kafkaController, dir.resolve("kafka"), security);
      started.add(localKafka);
      LocalStack stack =
          new LocalStack(localKafka, postgresStart.join(), localRedis, dir, temporary, security);
      LOG.info(
          "Local stack started in {} ms: Kafka {}, PostgreSQL {}, Redis {}",
          (System.nanoTime() - startNanos) / 1_000_000,
          stack.kafkaBootstrapServers(),
          stack.jdbcUrl(),
          stack.redisUrl());
      return stack;
    } catch (Exception e) {
      if (postgresStart != null) {
        addIfStarted(postgresStart, started);
      }
      Collections.reverse(started);
      RuntimeException stopFailure = LocalStack.closeAll(started);
      if (temporary) {
        Directories.deleteRecursively(dir);
      }
      Throwable cause = e instanceof CompletionException ? e.getCause() : e;
      IllegalStateException failure =
          new IllegalStateException(
              "Could not start the local stack: " + cause.getMessage(), cause);
      if (stopFailure != null) {
        failure.addSuppressed(stopFailure);
      }
      throw failure;
    }
  }

  private static int resolve(String service, int port, String option, int freePort) {
    if (port == 0) {
      return freePort;
    }
    Ports.requireFree(service, port, option);
    return port;
  }

  private static Path temporaryDataDir() {
    try {
      return Files.createTempDirectory("paystream-localstack-");
    } catch (IOException e) {
      throw new UncheckedIOException("Could not create a temporary data directory", e);
    }
  }

  private static CompletableFuture<LocalPostgres> startPostgres(int port, Path dir, StackSecurity security) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return LocalPostgres.start(port, dir, security);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        task -> new Thread(task, "localstack-postgres-start").start());
  }

  /** Waits for PostgreSQL's start to end, so that a server that did come up can be stopped. */
  private static void addIfStarted(
      CompletableFuture<LocalPostgres> start, List<AutoCloseable> started) {
    try {
      started.add(start.join());
    } catch (CompletionException | CancellationException failedToStart) {
      // It never came up, so there is nothing to stop.
    }
  }
}
