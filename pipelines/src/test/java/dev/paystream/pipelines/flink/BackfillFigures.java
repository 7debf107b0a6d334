package dev.paystream.pipelines.flink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.paystream.io.kafka.ExactlyOnceSink;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.pipelines.AnalyticsCheck;
import dev.paystream.pipelines.AnalyticsOptions;
import dev.paystream.pipelines.KafkaConnections;
import dev.paystream.pipelines.KnownInput;
import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Figures, not part of the default test run (the name matches neither surefire's nor failsafe's default includes; run it by name): a 7-day backfill of {@code paystream.figures.count}
 * (default 100,000) seed-format payments (JSON, send-time record timestamps, random order) in batch
 * mode, timed, its windows counted and checked against the reference models. Each run, passed or
 * failed, is recorded as {@code bench/results/backfill-<time>.json} ({@code paystream.figures.resultsDir}).
 *
 * <pre>
 * mvn -B -pl pipelines -am verify -Dtest=None -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dit.test='BackfillFigures#flinkEmbedded' [-Dpaystream.figures.count=100000]
 * </pre>
 */
@ExtendWith(LocalStackExtension.class)
class BackfillFigures {
  private static final Logger LOG = LoggerFactory.getLogger(BackfillFigures.class);
  private static final int DAYS = 7;

  @Test
  void directRunner(LocalStack stack) throws Exception {
    AnalyticsOptions options = PipelineOptionsFactory.create().as(AnalyticsOptions.class);
    options.setRunner(DirectRunner.class);
    options.as(DirectOptions.class).setEnforceImmutability(false);
    options.as(DirectOptions.class).setEnforceEncodability(false);
    options.setExactlyOnceSink(ExactlyOnceSink.BATCHED);
    figures(stack, options, "figures-direct" + System.nanoTime(), List.of("--runner=DirectRunner", "--exactlyOnceSink=BATCHED"));
  }

  @Test
  void flinkEmbedded(LocalStack stack) throws Exception {
    String run = "figures-flink" + System.nanoTime();
    AnalyticsOptions options = RunnerProfiles.flinkEmbedded(AnalyticsOptions.class, run);
    options.as(FlinkPipelineOptions.class).setAttachedMode(true);
    figures(stack, options, run, RunnerProfiles.args("flink-embedded.options"));
  }

  /** Runs the backfill under {@code options} (made of {@code args}, recorded with the figures). */
  private static void figures(LocalStack stack, AnalyticsOptions options, String run, List<String> args) throws Exception {
    int count = Integer.getInteger("paystream.figures.count", 100_000);
    AnalyticsCheck.withTestTopics(options, stack, run);
    AnalyticsCheck.createTopics(stack, options);
    KnownInput input = KnownInput.seedFormat(count, System.currentTimeMillis() - Duration.ofHours(1).toMillis(), DAYS, 0);
    input.produceWithSendTime(KafkaConnections.from(options), options.getPaymentsTopic(), 0, count);

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("mode", "backfill-figures");
    report.put("when", Instant.now().toString());
    report.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(),
        "jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version")));
    report.put("load_average_start", loadAverage());
    report.put("runner", options.getRunner().getSimpleName());
    report.put("pipeline_args", args);
    report.put("records", count);
    report.put("event_time_days", DAYS);
    report.put("valid_distinct_payments", input.validPayments().size());
    report.put("malformed", input.expected.count(Kind.MALFORMED));
    report.put("duplicates", input.duplicates());
    try {
      Duration job = AnalyticsCheck.runBackfill(options);
      report.put("job_seconds", job.toMillis() / 1000.0);
      report.put("records_per_second", Math.round(count / (job.toMillis() / 1000.0)));
      long start = System.nanoTime();
      AnalyticsCheck.Committed committed = AnalyticsCheck.committedEqualsTheReferenceModels(stack, options, input);
      report.put("check_seconds", (System.nanoTime() - start) / 1e9);
      Map<String, Integer> windows = new LinkedHashMap<>();
      AnalyticsCheck.finalStats(committed.stats()).forEach((dimension, finals) -> windows.put(dimension.name(), finals.size()));
      report.put("final_windows", windows);
      report.put("stats_panes", committed.stats().size());
      report.put("session_panes", committed.sessions().size());
      report.put("dead_letters", committed.deadLetters().size());
      report.put("equal_to_models", true);
      LOG.info(
          "FIGURES {} backfill of {} records over {} days: job {} s ({} records/s), check {} s; final windows {}, {} stats panes, {} session panes, {} dead letters; equal to the models",
          report.get("runner"), count, DAYS, report.get("job_seconds"), report.get("records_per_second"),
          Math.round((double) report.get("check_seconds")), windows, report.get("stats_panes"), report.get("session_panes"),
          report.get("dead_letters"));
    } catch (Exception | AssertionError e) {
      report.put("equal_to_models", false);
      String failure = String.valueOf(e);
      report.put("failure", failure.length() > 2_000 ? failure.substring(0, 2_000) + "..." : failure);
      throw e;
    } finally {
      report.put("load_average_end", loadAverage());
      LOG.info("FIGURES recorded in {}", write(report));
    }
  }

  /** The 1, 5 and 15 minute load averages: figures on a shared 2-core machine mean little without them. */
  private static List<Double> loadAverage() throws IOException {
    return Arrays.stream(Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+")).limit(3).map(Double::valueOf).toList();
  }

  private static Path write(Map<String, Object> report) throws IOException {
    Path dir = Path.of(System.getProperty("paystream.figures.resultsDir", "../bench/results"));
    Files.createDirectories(dir);
    Path file = dir.resolve("backfill-" + Instant.now().toString().replace(':', '-') + ".json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), report);
    return file;
  }
}
