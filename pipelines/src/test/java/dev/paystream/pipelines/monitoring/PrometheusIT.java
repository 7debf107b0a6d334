package dev.paystream.pipelines.monitoring;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.io.metrics.MetricsEndpoint;
import dev.paystream.pipelines.FraudDetectionOptions;
import dev.paystream.pipelines.FraudRun;
import dev.paystream.pipelines.KafkaConnections;
import dev.paystream.pipelines.KnownInput;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.metrics.PaystreamMetrics;
import io.prometheus.metrics.core.metrics.Counter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fraud pipeline on the DirectRunner with {@code --metricsPort}, scraped by a real Prometheus
 * (Debian's 2.42) with the repository's alert rules: every query of the pipelines dashboard and
 * every metric an alert of group {@code paystream} reads has data, every rule evaluates without
 * error, the counters Prometheus scraped equal what was committed to Kafka (read back
 * read_committed), and a stopped pipeline makes {@code PaystreamTargetDown} fire (its {@code for:}
 * shortened to seconds, the only change to the rules). The Flink dashboard and alert need a Flink
 * job: see README, "Operating it".
 */
@ExtendWith(LocalStackExtension.class)
class PrometheusIT {
  private static final int RECORDS = 1_000;
  private static final String JOB = "paystream-fraud";
  private static final Path DASHBOARD = PrometheusBinaries.MONITORING.resolve("grafana/dashboards/paystream-pipelines.json");

  @AfterEach
  void stopEndpoint() {
    MetricsEndpoint.stop();
  }

  @Test
  void prometheusSeesWhatWasCommittedAndAStoppedPipelineFires(LocalStack stack, @TempDir Path dir) throws Exception {
    String run = "prom" + System.nanoTime();
    FraudDetectionOptions options = PipelineOptionsFactory.create().as(FraudDetectionOptions.class);
    options.setRunner(DirectRunner.class);
    options.as(DirectOptions.class).setBlockOnRun(false);
    KnownInput.withTestTopics(options, stack, run);
    int metricsPort = PrometheusServer.freePort();
    options.setMetricsPort(Integer.toString(metricsPort));
    options.setLagPollSeconds(2);
    // The stores too, so that their write and retry series are scraped.
    options.setWriteToPostgres(true);
    options.setPostgresJdbcUrl(stack.jdbcUrl());
    options.setPostgresUser(stack.postgresUser());
    options.setWriteToRedis(true);
    options.setRedisUrl(stack.redisUrl());
    stack.createTopics(Map.of(options.getPaymentsTopic(), 4, options.getDecisionsTopic(), 4, options.getDeadLetterTopic(), 1));
    KnownInput input = KnownInput.generate(RECORDS);
    input.produce(KafkaConnections.from(options), options.getPaymentsTopic(), 0, RECORDS);

    // The registry is the JVM's: other tests in this JVM counted before; what this run adds is compared.
    Map<String, Double> decisionsBefore = values(PaystreamMetrics.DECISIONS, "outcome");
    Map<String, Double> deadLettersBefore = values(PaystreamMetrics.DEAD_LETTERS, "reason");
    Map<String, Double> duplicatesBefore = values(PaystreamMetrics.DUPLICATES, "kind");

    try (PrometheusServer prometheus = PrometheusServer.start(dir, JOB, "127.0.0.1:" + metricsPort, 3)) {
      await("Prometheus ready").atMost(Duration.ofSeconds(30)).until(prometheus::ready);
      List<String> emptyQueries = new ArrayList<>();
      Map<String, Map<String, Double>> scraped = new TreeMap<>();
      FraudRun.Output output =
          FraudRun.runUntil(
              options,
              input.validIds.size(),
              input.malformedReasons.size(),
              Duration.ofMinutes(4),
              Duration.ofSeconds(2),
              running -> {
                // While the job runs: the final counts reach Prometheus, then every query has data.
                double expectedDecisions = input.validIds.size() + sum(decisionsBefore);
                await("decisions scraped")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> prometheus.sum("paystream_decisions_total{job=\"" + JOB + "\"}") >= expectedDecisions);
                await("consumer lag gauges scraped")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> !prometheus.query("paystream_consumer_lag_seconds").isEmpty());
                printScrape(metricsPort);
                emptyQueries.addAll(queriesWithoutData(prometheus));
                scraped.put("decisions", byLabel(prometheus, "paystream_decisions_total", "outcome"));
                scraped.put("deadLetters", byLabel(prometheus, "paystream_dead_letters_total", "reason"));
                scraped.put("duplicates", byLabel(prometheus, "paystream_duplicates_total", "kind"));
              });

      assertEquals(input.validIds.size(), output.decisions().size(), "every decision committed within the timeout");
      assertEquals(List.of(), emptyQueries, "dashboard queries and alert inputs without data");
      assertTrue(prometheus.ruleHealth().stream().allMatch(rule -> rule.endsWith("=ok")), prometheus.ruleHealth().toString());
      assertEquals(
          counts(output.decisions(), decision -> decision.getDecision().name()),
          minus(scraped.get("decisions"), decisionsBefore),
          () -> "decisions by outcome: committed vs scraped; Beam counters: " + beamCounters(output));
      assertEquals(
          counts(output.deadLetters(), DeadLetter::getErrorCode),
          minus(scraped.get("deadLetters"), deadLettersBefore),
          "dead letters by reason: committed vs scraped");
      // Every record read is a decision, a dead letter or a duplicate: the duplicates are the rest.
      long duplicatesInKafka = RECORDS - output.decisions().size() - output.deadLetters().size();
      assertEquals(input.duplicates(), duplicatesInKafka);
      assertEquals(
          (double) duplicatesInKafka,
          sum(minus(scraped.get("duplicates"), duplicatesBefore)),
          "duplicates: payments topic less committed output vs scraped");
      assertFalse(prometheus.firing().contains("PaystreamTargetDown"));

      // The stall: the pipeline and its process's endpoint are gone (FraudRun cancelled the job).
      MetricsEndpoint.stop();
      await("PaystreamTargetDown firing")
          .atMost(Duration.ofSeconds(30))
          .until(() -> prometheus.firing().contains("PaystreamTargetDown"));
      System.out.println("firing after the stall: " + prometheus.firing());
    }
  }

  /** A few lines of the endpoint's scrape, for the record (README, "Operating it"). */
  private static void printScrape(int port) throws java.io.IOException, InterruptedException {
    String scrape =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    scrape.lines()
        .filter(line -> line.matches("paystream_(decisions_total|dead_letters_total\\{reason=\"UNPARSEABLE|duplicates_total|consumer_lag|eos_transactions_total|decision_latency_seconds_count).*"))
        .forEach(line -> System.out.println("scrape: " + line));
  }

  /** Every dashboard query, and every metric an alert of the runner-independent group reads, that has no data. */
  private static List<String> queriesWithoutData(PrometheusServer prometheus) throws java.io.IOException, InterruptedException {
    List<String> queries = new ArrayList<>();
    for (JsonNode target : new ObjectMapper().readTree(Files.readString(DASHBOARD)).findValues("expr")) {
      queries.add(target.asText());
    }
    queries.addAll(AlertInputs.metricsOfGroup(Files.readString(PrometheusBinaries.RULES), "paystream"));
    List<String> empty = new ArrayList<>();
    for (String query : queries) {
      if (prometheus.query(query).isEmpty()) {
        empty.add(query);
      }
    }
    return empty;
  }

  private static Map<String, Double> byLabel(PrometheusServer prometheus, String metric, String label) throws java.io.IOException, InterruptedException {
    Map<String, Double> values = new TreeMap<>();
    for (JsonNode sample : prometheus.query("sum by (" + label + ") (" + metric + "{job=\"" + JOB + "\"})")) {
      values.put(sample.path("metric").path(label).asText(), sample.path("value").get(1).asDouble());
    }
    return values;
  }

  private static Map<String, Double> values(Counter counter, String label) {
    Map<String, Double> values = new TreeMap<>();
    counter.collect().getDataPoints().forEach(point -> values.put(point.getLabels().get(label), point.getValue()));
    return values;
  }

  private static String beamCounters(FraudRun.Output output) {
    StringBuilder text = new StringBuilder();
    output.metrics().getCounters().forEach(c -> text.append(c.getName()).append('@').append(c.getKey().stepName()).append('=').append(c.getAttempted()).append(' '));
    return text.toString();
  }

  /** Non-zero differences, by label value. */
  private static Map<String, Double> minus(Map<String, Double> after, Map<String, Double> before) {
    Map<String, Double> diff = new TreeMap<>();
    after.forEach((key, value) -> {
      double d = value - before.getOrDefault(key, 0.0);
      if (d != 0) {
        diff.put(key, d);
      }
    });
    return diff;
  }

  private static double sum(Map<String, Double> values) {
    return values.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  private static <T> Map<String, Double> counts(List<T> records, Function<T, String> key) {
    return records.stream()
        .collect(Collectors.groupingBy(key, TreeMap::new, Collectors.summingDouble(record -> 1.0)));
  }
}
