package dev.paystream.pipelines.flink;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.io.metrics.MetricsEndpoint;
import dev.paystream.pipelines.FraudDetectionOptions;
import dev.paystream.pipelines.FraudRun;
import dev.paystream.pipelines.KafkaConnections;
import dev.paystream.pipelines.KnownInput;
import dev.paystream.pipelines.monitoring.AlertInputs;
import dev.paystream.pipelines.monitoring.PrometheusBinaries;
import dev.paystream.pipelines.monitoring.Scrape;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.metrics.PaystreamMetrics;
import dev.paystream.transforms.dedup.DeduplicatePayments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fraud pipeline on Flink embedded with {@code runner-profiles/flink-embedded-metrics.options}
 * (ports replaced by free ones): the JVM serves the {@code paystream_*} metrics under the same names
 * and labels as on the DirectRunner ({@code PrometheusIT}), and their values scraped over HTTP equal
 * what was committed to Kafka (read back read_committed); Flink's PrometheusReporter, configured by
 * {@code runner-profiles/flink-conf-embedded/config.yaml}, serves the job's checkpoint duration, size
 * and failures, restarts and backpressure (every Flink metric of the Flink dashboard and alert), and
 * Beam's counters under Flink's names.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FlinkEmbeddedMetricsIT {
  private static final int RECORDS = 600;
  private static final String PROFILE = "flink-embedded-metrics.options";
  private static final String CONF = "flink-conf-embedded";

  @AfterEach
  void stopEndpoint() {
    MetricsEndpoint.stop();
  }

  @Test
  void bothEndpointsServeWhatTheJobDidUnderTheDirectRunnersNames(LocalStack stack, @TempDir Path conf) throws Exception {
    String run = "flinkprom" + System.nanoTime();
    String jobName = "fraud-" + run;
    // Flink's reporter writes a label value with every character outside [a-zA-Z0-9:_] as '_'.
    String job = jobName.replaceAll("[^a-zA-Z0-9:_]", "_");
    FraudDetectionOptions options = RunnerProfiles.flinkEmbedded(FraudDetectionOptions.class, jobName, PROFILE);
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    assertEquals("runner-profiles/" + CONF, flink.getFlinkConfDir(), PROFILE);
    // The profile's ranges, as free ports: the profile's Flink configuration with its port replaced.
    int metricsPort = SessionCluster.freePort();
    int reporterPort = SessionCluster.freePort();
    options.setMetricsPort(Integer.toString(metricsPort));
    String config = Files.readString(RunnerProfiles.DIR.resolve(CONF).resolve("config.yaml"));
    String replaced = config.replaceFirst("(?m)^metrics\\.reporter\\.prom\\.port: .*$", "metrics.reporter.prom.port: " + reporterPort);
    assertFalse(replaced.equals(config), "the profile's config.yaml sets metrics.reporter.prom.port");
    Files.writeString(conf.resolve("config.yaml"), replaced);
    flink.setFlinkConfDir(conf.toString());
    KnownInput.withTestTopics(options, stack, run);
    stack.createTopics(Map.of(options.getPaymentsTopic(), 4, options.getDecisionsTopic(), 4, options.getDeadLetterTopic(), 1));
    KnownInput input = KnownInput.generate(RECORDS);
    input.produce(KafkaConnections.from(options), options.getPaymentsTopic(), 0, RECORDS);

    // The registry is the JVM's (embedded Flink runs the job in this JVM, on this class path): what
    // other tests counted before is subtracted.
    Map<String, Double> before = countedSoFar();
    AtomicReference<Scrape> paystream = new AtomicReference<>();
    AtomicReference<Scrape> flinkOwn = new AtomicReference<>();
    FraudRun.Output output =
        FraudRun.runThen(
            options,
            input.validIds.size(),
            input.malformedReasons.size(),
            Duration.ofMinutes(3),
            Duration.ofSeconds(2),
            committed -> {
              double decisions =
                  committed.decisions().size()
                      + before.entrySet().stream().filter(e -> e.getKey().startsWith("decision:")).mapToDouble(Map.Entry::getValue).sum();
              await("paystream_* scraped with every committed decision")
                  .atMost(Duration.ofSeconds(30))
                  .pollInterval(Duration.ofMillis(500))
                  .until(() -> {
                    paystream.set(Scrape.of(metricsPort));
                    return paystream.get().sum("paystream_decisions_total") >= decisions;
                  });
              await("Flink's checkpoint and Beam counter metrics scraped")
                  .atMost(Duration.ofSeconds(30))
                  .pollInterval(Duration.ofMillis(500))
                  .until(() -> {
                    flinkOwn.set(Scrape.of(reporterPort));
                    return flinkOwn.get().samples("flink_jobmanager_job_numberOfCompletedCheckpoints").stream()
                            .anyMatch(sample -> job.equals(sample.labels().get("job_name")) && sample.value() > 0)
                        && beamDuplicates(flinkOwn.get(), job) == input.duplicates();
                  });
            });
    Scrape scrape = paystream.get();
    scrape.lines(line -> line.startsWith("paystream_decisions_total") || line.startsWith("paystream_dead_letters_total")
        || line.startsWith("paystream_duplicates_total") || line.startsWith("paystream_decision_latency_seconds_count"))
        .forEach(line -> System.out.println("paystream scrape: " + line));
    flinkOwn.get().lines(line -> line.matches("flink_jobmanager_job_(lastCheckpoint(Duration|Size)|numberOf(Failed|Completed)Checkpoints|numRestarts)\\{.*"))
        .forEach(line -> System.out.println("flink scrape: " + line));

    assertEquals(input.validIds.size(), output.decisions().size(), "every decision committed");
    assertEquals(
        counts(output.decisions(), decision -> decision.getDecision().name()),
        minus(scrape.sumBy("paystream_decisions_total", "outcome"), before, "decision:"),
        "decisions by outcome: committed vs scraped");
    assertEquals(
        counts(output.deadLetters(), DeadLetter::getErrorCode),
        minus(scrape.sumBy("paystream_dead_letters_total", "reason"), before, "deadLetter:"),
        "dead letters by reason: committed vs scraped");
    long duplicatesInKafka = RECORDS - output.decisions().size() - output.deadLetters().size();
    assertEquals(input.duplicates(), duplicatesInKafka);
    assertEquals(
        (double) duplicatesInKafka,
        scrape.sum("paystream_duplicates_total") - before.getOrDefault("duplicates", 0.0),
        "duplicates: payments less committed output vs scraped");
    assertEquals(
        (double) output.decisions().size(),
        scrape.sum("paystream_decision_latency_seconds_count") - before.getOrDefault("latency", 0.0),
        "one latency observation per decision (a histogram of ours: Flink's reporter exports Beam Distributions as 0)");

    // Flink's own: checkpoints completed, failed (those triggered while the tasks were still being
    // deployed count: a few at every start), no restart, and backpressure per task.
    Scrape flinkScrape = flinkOwn.get();
    assertTrue(of(flinkScrape, "flink_jobmanager_job_numberOfCompletedCheckpoints", job) > 0);
    assertTrue(of(flinkScrape, "flink_jobmanager_job_numberOfFailedCheckpoints", job) >= 0);
    assertEquals(0.0, of(flinkScrape, "flink_jobmanager_job_numRestarts", job));
    assertTrue(of(flinkScrape, "flink_jobmanager_job_lastCheckpointDuration", job) >= 0);
    assertTrue(of(flinkScrape, "flink_jobmanager_job_lastCheckpointSize", job) > 0, "checkpoints hold state");
    // Every Flink metric the Flink dashboard and the Flink alert read has series of this job
    // (checkpoint duration and size, failed checkpoints, restarts, backpressure per task).
    Set<String> read = new TreeSet<>();
    AlertInputs.metricsOfGroup(Files.readString(PrometheusBinaries.RULES), "paystream-flink").forEach(selector -> read.add(selector.replaceAll("\\{.*", "")));
    Matcher names = Pattern.compile("flink_[a-zA-Z_]+").matcher(Files.readString(PrometheusBinaries.MONITORING.resolve("grafana/dashboards/paystream-flink.json")));
    while (names.find()) {
      read.add(names.group());
    }
    assertTrue(read.contains("flink_taskmanager_job_task_backPressuredTimeMsPerSecond"), read.toString());
    for (String name : read) {
      assertFalse(
          flinkScrape.samples(name).stream().filter(sample -> job.equals(sample.labels().get("job_name"))).toList().isEmpty(),
          name + " of job " + job + " on Flink's reporter");
    }
  }

  /** What this JVM's registry, which the endpoint serves, counted before the job. */
  private static Map<String, Double> countedSoFar() {
    Map<String, Double> counted = new TreeMap<>();
    PaystreamMetrics.DECISIONS.collect().getDataPoints().forEach(p -> counted.put("decision:" + p.getLabels().get("outcome"), p.getValue()));
    PaystreamMetrics.DEAD_LETTERS.collect().getDataPoints().forEach(p -> counted.put("deadLetter:" + p.getLabels().get("reason"), p.getValue()));
    counted.put("duplicates", PaystreamMetrics.DUPLICATES.collect().getDataPoints().stream().mapToDouble(p -> p.getValue()).sum());
    counted.put("latency", (double) PaystreamMetrics.DECISION_LATENCY.collect().getDataPoints().stream().mapToLong(p -> p.getCount()).sum());
    return counted;
  }

  /** The job's one sample of a job-level Flink metric; fails if there is none. */
  private static double of(Scrape scrape, String name, String job) {
    List<Scrape.Sample> samples =
        scrape.samples(name).stream().filter(sample -> job.equals(sample.labels().get("job_name"))).toList();
    assertEquals(1, samples.size(), () -> name + " of job " + job + ": " + samples);
    return samples.get(0).value();
  }

  /**
   * Beam's duplicates counter as Flink's reporter names it: {@code
   * flink_taskmanager_job_task_operator_<namespace>_<name>}, summed over the operators and subtasks.
   */
  private static double beamDuplicates(Scrape scrape, String job) {
    String name = "flink_taskmanager_job_task_operator_" + DeduplicatePayments.METRICS_NAMESPACE + "_duplicates";
    return scrape.samples(name).stream().filter(sample -> job.equals(sample.labels().get("job_name"))).mapToDouble(Scrape.Sample::value).sum();
  }

  private static Map<String, Double> minus(Map<String, Double> after, Map<String, Double> before, String prefix) {
    Map<String, Double> diff = new TreeMap<>();
    after.forEach((key, value) -> {
      double d = value - before.getOrDefault(prefix + key, 0.0);
      if (d != 0) {
        diff.put(key, d);
      }
    });
    return diff;
  }

  private static <T> Map<String, Double> counts(List<T> records, Function<T, String> key) {
    return records.stream().collect(Collectors.groupingBy(key, TreeMap::new, Collectors.summingDouble(record -> 1.0)));
  }
}
