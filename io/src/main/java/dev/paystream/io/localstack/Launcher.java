package dev.paystream.io.localstack;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/** Runs the stack for {@link LocalStack#main} until the JVM is asked to stop. */
final class Launcher {
  private static final Duration STOP_WAIT = Duration.ofSeconds(30);

  private Launcher() {}

  /**
   * Starts the stack that {@code args} describe, prints its addresses to {@code out}, and blocks
   * until Ctrl-C, whose shutdown hook stops the stack. Returns only for {@code --help}, bad
   * arguments or a taken port, with the exit code; other start failures are thrown.
   */
  static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    LaunchOptions options;
    try {
      options = LaunchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      err.println(LaunchOptions.USAGE);
      return 2;
    }
    if (options.help()) {
      out.println(LaunchOptions.USAGE);
      return 0;
    }

    long startNanos = System.nanoTime();
    LocalStack stack;
    try {
      stack = options.builder().start();
    } catch (PortInUseException e) {
      err.println(e.getMessage());
      return 1;
    }
    try {
      stack.createTopics(options.topics());
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
    // Stopping in a shutdown hook is what makes Ctrl-C (SIGINT) and SIGTERM stop the servers.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopWithin(stack, out), "localstack-stop"));
    printAddresses(stack, options, (System.nanoTime() - startNanos) / 1_000_000, out);
    // Nothing ever counts this down: the JVM exits once the shutdown hook has stopped the stack.
    new CountDownLatch(1).await();
    return 0;
  }

  private static void printAddresses(
      LocalStack stack, LaunchOptions options, long startMillis, PrintStream out) {
    out.printf("Local stack up in %.1f s%n", startMillis / 1000.0);
    out.printf("  Kafka       %s%n", stack.kafkaBootstrapServers());
    out.printf(
        "  PostgreSQL  %s (user %s, password %s)%n",
        stack.jdbcUrl(), stack.postgresUser(), stack.postgresPassword());
    out.printf("  Redis       %s%n", stack.redisUrl());
    out.printf("  data        %s%n", stack.dataDir());
    if (!options.topics().isEmpty()) {
      out.printf("  topics      %s%n", options.topics());
    }
    out.println("Press Ctrl-C to stop.");
  }

  /** Stops the stack, but lets the JVM exit after {@link #STOP_WAIT} even if a server hangs. */
  private static void stopWithin(LocalStack stack, PrintStream out) {
    Thread stopper = new Thread(() -> stop(stack, out), "localstack-stopper");
    stopper.setDaemon(true);
    stopper.start();
    try {
      stopper.join(STOP_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (stopper.isAlive()) {
      out.printf("The local stack did not stop within %d s; exiting anyway.%n", STOP_WAIT.toSeconds());
    }
  }

  private static void stop(LocalStack stack, PrintStream out) {
    out.println("Stopping the local stack...");
    stack.close();
    out.println("Local stack stopped.");
  }
}
