package dev.paystream.pipelines.demo;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.postgres.PostgresConnection;
import dev.paystream.io.redis.RedisConnection;
import dev.paystream.pipelines.FraudRun;
import dev.paystream.pipelines.KafkaConnections;
import dev.paystream.pipelines.PipelineMain;
import dev.paystream.pipelines.generator.GeneratePayments;
import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.pipelines.generator.GeneratorStats;
import dev.paystream.pipelines.generator.PaymentGenerator;
import dev.paystream.pipelines.serve.QueryConfig;
import dev.paystream.pipelines.serve.QueryServer;
import dev.paystream.io.metrics.MetricsEndpoint;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The fraud pipeline end to end on one machine: starts the local stack, generates a backfill of
 * payments (with fraud, duplicates and malformed records) into Kafka, runs the pipeline on the
 * DirectRunner until every payment is accounted for in the committed output, prints a summary.
 *
 * <pre>mvn -B -q install -DskipTests && mvn -B -q -pl pipelines exec:java</pre>
 */
public final class Demo {
  private static final String DEMO_METRICS_PORTS = "9464-9563";

  private Demo() {}

  /** Exits 0 when the accounting balances, 1 when it does not or the demo failed; see {@link PipelineMain}. */
  public static void main(String[] args) {
    PipelineMain.exit(Demo.class, () -> runDemo(args) ? 0 : PipelineMain.FAILED);
  }

  private static boolean runDemo(String[] args) throws Exception {
    PipelineOptionsFactory.register(DemoOptions.class);
    DemoOptions options = PipelineOptionsFactory.fromArgs(args).withValidation().as(DemoOptions.class);
    // A demo reads its own output, so the pipeline must not block the main thread; element
    // immutability and encodability checks are for tests (runner-profiles/direct.options) and cost
    // the DirectRunner a deep copy and an encode/decode of every element.
    options.as(DirectOptions.class).setBlockOnRun(false);
    options.as(DirectOptions.class).setEnforceImmutability(false);
    options.as(DirectOptions.class).setEnforceEncodability(false);
    if (options.getMetricsPort().trim().equals("0")) {
      // The demo shows its metrics: the first free port from 9464 (Prometheus' exporter range).
      options.setMetricsPort(DEMO_METRICS_PORTS);
    }
    if (!options.getStartLocalStack()) {
      return run(options);
    }
    System.out.println("Starting the local stack (Kafka 3.9 KRaft, PostgreSQL, Redis) ...");
    try (LocalStack stack = LocalStack.builder().kafkaPort(0).postgresPort(0).redisPort(0).start();
        // Stopped on SIGTERM or Ctrl-C too, after the pipeline: PostgreSQL and Redis are child processes.
        PipelineMain.Registration stopStack = PipelineMain.closeOnShutdown("the local stack", stack)) {
      System.out.printf("  Kafka %s, PostgreSQL %s, Redis %s%n", stack.kafkaBootstrapServers(), stack.jdbcUrl(), stack.redisUrl());
      options.setBootstrapServers(stack.kafkaBootstrapServers());
      options.setWriteToPostgres(true);
      options.setPostgresJdbcUrl(stack.jdbcUrl());
      options.setPostgresUser(stack.postgresUser());
      options.setWriteToRedis(true);
      options.setRedisUrl(stack.redisUrl());
      stack.createTopics(
          Map.of(options.getPaymentsTopic(), 4, options.getDecisionsTopic(), 4, options.getDeadLetterTopic(), 1));
      return run(options);
    }
  }

  private static boolean run(DemoOptions options) throws Exception {
    List<GeneratedRecord> payments = new ArrayList<>(options.getEvents());
    PaymentGenerator.builder()
        .seed(options.getSeed())
        .customers(options.getCustomers())
        .eventsPerSecond(options.getEvents() / (options.getBackfillDays() * 86_400.0))
        .backfill(options.getEvents(), System.currentTimeMillis())
        .build()
        .forEachRemaining(payments::add);
    GeneratorStats sent =
        GeneratePayments.produce(KafkaConnections.from(options), options.getPaymentsTopic(), payments);
    System.out.printf("Generated %,d records into '%s': %s%n", sent.total(), options.getPaymentsTopic(), sent);

    System.out.println("Running the fraud pipeline on the DirectRunner ...");
    boolean[] balanced = {false};
    try (DemoProgress progress = DemoProgress.start(System.out, options.getConsumerGroup(), PROGRESS_MILLIS)) {
      FraudRun.runThen(
          options,
          sent.count(Kind.VALID),
          sent.count(Kind.MALFORMED),
          Duration.ofMinutes(options.getTimeoutMinutes()),
          Duration.ofSeconds(3),
          output -> {
            progress.close();
            balanced[0] = report(options, payments, sent, output);
            if (options.getKeepRunning()) {
              keepRunning(options, balanced[0]);
            }
          });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return balanced[0];
  }

  private static final long PROGRESS_MILLIS = 5_000;

  private static boolean report(DemoOptions options, List<GeneratedRecord> payments, GeneratorStats sent, FraudRun.Output output)
      throws IOException {
    DemoReport report = new DemoReport(payments, sent, output);
    report.print(System.out);
    if (options.getWriteToPostgres() && options.getWriteToRedis()) {
      StoreCounts stores;
      try {
        stores = StoreCounts.read(options.getPostgresJdbcUrl(), options.getPostgresUser(), options.getRedisUrl());
      } catch (java.sql.SQLException e) {
        throw new IOException("reading the stores' counts failed", e);
      }
      System.out.printf("PostgreSQL:          %,d decision rows (%,d customers); Redis: %,d customers' features%n",
          stores.decisionRows(), stores.customersInPostgres(), stores.featureKeys());
    }
    MetricsEndpoint.port().ifPresent(port -> System.out.printf("Metrics:             http://localhost:%d/metrics%n", port));
    return report.balanced();
  }

  /**
   * Blocks until Ctrl-C or SIGTERM, whose shutdown actions close the query service, cancel the
   * pipeline and stop the stack: meanwhile the stores, the query service and /metrics stay up.
   */
  private static void keepRunning(DemoOptions options, boolean balanced) throws IOException, InterruptedException {
    System.out.printf(
        "--keepRunning: Kafka %s, PostgreSQL %s, Redis %s, the pipeline and its metrics stay up. Ctrl-C stops them.%n",
        options.getBootstrapServers(), options.getPostgresJdbcUrl(), options.getRedisUrl());
    if (!options.getWriteToPostgres() || !options.getWriteToRedis()) {
      new CountDownLatch(1).await();
      return;
    }
    QueryConfig config =
        QueryConfig.of(
            "127.0.0.1",
            options.getQueryServicePort(),
            PostgresConnection.from(options),
            RedisConnection.from(options));
    try (QueryServer server = QueryServer.start(config);
        PipelineMain.Registration stop = PipelineMain.closeOnShutdown("the query service", server)) {
      System.out.printf("Query service:       %s (accounting %s; GET /openapi.json describes it)%n",
          server.url(), balanced ? "balanced" : "NOT balanced");
      System.out.printf("  e.g. curl -s %s/customers/cust_000042/features%n", server.url());
      // Nothing counts this down: the shutdown hooks close the service, then the stack.
      new CountDownLatch(1).await();
    }
  }
}
