package dev.paystream.pipelines.flink;

import dev.paystream.pipelines.KnownInput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.pipelines.FraudDetectionOptions;
import dev.paystream.pipelines.FraudRun;
import dev.paystream.pipelines.KafkaConnections;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.transforms.dedup.DeduplicatePayments;
import dev.paystream.transforms.validate.ValidatePayments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fraud pipeline on Flink 1.19 embedded in this JVM ({@code --flinkMaster=[local]}, options
 * from {@code runner-profiles/flink-embedded.options}), against the real broker: the same input
 * and the same exact assertions as the DirectRunner's {@code FraudDetectionPipelineIT}, plus the
 * source offsets the consumer group committed when checkpoints completed.
 *
 * <p>Twice: with and without {@code --fasterCopy} (chained steps share elements instead of copies,
 * and the heap state backend no longer copies a value a checkpoint is writing out: safe only if no
 * step changes an element or a state value in place, see {@code InPlaceMutationTest}). Each run
 * must complete every checkpoint it starts, and the two runs must make the same decisions from the
 * same input. (A step that changes a state value in place while a checkpoint writes it out makes
 * that checkpoint fail with a ConcurrentModificationException now and then, not in every run: with
 * the dedup map changed in place again, one run of this test passed. InPlaceMutationTest and the
 * history tests are the deterministic checks.)
 *
 * <p>{@code -Dpaystream.flink.records=N} changes the input size (default 3,000), for throughput
 * measurements.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class FlinkEmbeddedPipelineIT {
  private static final Logger LOG = LoggerFactory.getLogger(FlinkEmbeddedPipelineIT.class);
  private static final int RECORDS = Integer.getInteger("paystream.flink.records", 3_000);
  /** One input for both runs: features see the hour of the day, so the payment times must match. */
  private static final KnownInput INPUT = KnownInput.generate(RECORDS, System.currentTimeMillis());
  /** Each run's decisions (transaction id to decision, score and rules), by --fasterCopy. */
  private static final Map<Boolean, Map<String, String>> DECISIONS = new ConcurrentHashMap<>();

  @ParameterizedTest(name = "--fasterCopy={0}")
  @ValueSource(booleans = {false, true})
  void everyRecordEndsUpAsExactlyOneDecisionDeadLetterOrDroppedDuplicate(
      boolean fasterCopy, LocalStack stack, @TempDir Path flinkConf) throws Exception {
    String run = "flink" + System.nanoTime();
    int restPort = SessionCluster.freePort();
    FraudDetectionOptions options = options(stack, run, flinkConf, restPort);
    options.as(FlinkPipelineOptions.class).setFasterCopy(fasterCopy);
    stack.createTopics(
        Map.of(options.getPaymentsTopic(), 4, options.getDecisionsTopic(), 4, options.getDeadLetterTopic(), 1));
    KafkaConnection kafka = KafkaConnections.from(options);
    KnownInput input = INPUT;
    input.produce(kafka, options.getPaymentsTopic(), 0, RECORDS);

    // Beam's counters, from the embedded cluster's REST endpoint while the job still runs (Beam's
    // Flink runner puts them in the PipelineResult only when a job finishes, which this one never does).
    FlinkRest rest = new FlinkRest(restPort);
    long[] counters = new long[2];
    JsonNode[] checkpoints = new JsonNode[1];
    FraudRun.Output output =
        FraudRun.runUntil(
            options,
            input.validIds.size(),
            input.malformedReasons.size(),
            Duration.ofMinutes(5),
            Duration.ofSeconds(5),
            result -> {
              String job = rest.activeJobs().get(0);
              long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
              do {
                counters[0] = rest.counter(job, DeduplicatePayments.METRICS_NAMESPACE, "duplicates");
                counters[1] = rest.counter(job, ValidatePayments.METRICS_NAMESPACE, "valid");
                if (counters[0] == input.duplicates() && counters[1] == input.validIds.size() + input.duplicates()) {
                  break;
                }
                Thread.sleep(500);
              } while (System.nanoTime() < deadline);
              checkpoints[0] = rest.checkpoints(job);
            });
    LOG.info(
        "Flink embedded: {} records, all output committed {} ms after the job started: {} records/s",
        RECORDS,
        output.elapsed().toMillis(),
        String.format("%.0f", RECORDS * 1000.0 / output.elapsed().toMillis()));
    LOG.info("Flink embedded counters: duplicates {}, valid {}; checkpoints {}", counters[0], counters[1], checkpoints[0].path("counts"));

    input.assertExactlyOnce(output.decisions(), output.deadLetters(), options.getPaymentsTopic());
    // The accounting equation from the pipeline's own counters, as in the DirectRunner IT.
    assertEquals(input.duplicates(), counters[0], "duplicates dropped");
    assertEquals(input.validIds.size() + input.duplicates(), counters[1], "valid payments");
    // commitOffsetsInFinalize: the consumer group's offsets cover the whole input once the
    // checkpoint that made the last output visible has been finalized.
    assertEquals(
        RECORDS,
        KnownInput.committedOffsets(
            kafka, options.getConsumerGroup(), options.getPaymentsTopic(), RECORDS, Duration.ofSeconds(30)),
        "offsets committed by " + options.getConsumerGroup());
    // A checkpoint that failed once started (e.g. a state value changed while a task wrote it
    // out) is skipped (--failOnCheckpointingErrors=false) and the output comes with the next one:
    // look for them. Those that could not start while the tasks were still starting do not count.
    List<String> failed = new ArrayList<>();
    for (JsonNode checkpoint : checkpoints[0].path("history")) {
      if (checkpoint.path("status").asText().equals("FAILED")) {
        failed.add(checkpoint.path("id") + ": " + checkpoint.path("failure_message").asText());
      }
    }
    assertEquals(List.of(), failed, "failed checkpoints");
    assertTrue(checkpoints[0].path("counts").path("completed").asLong() > 0, "completed checkpoints: " + checkpoints[0].path("counts"));

    Map<String, String> decided = new TreeMap<>();
    for (FraudDecision decision : output.decisions()) {
      decided.put(decision.getTransactionId(), decision.getDecision() + " " + decision.getScore() + " " + decision.getReasons());
    }
    DECISIONS.put(fasterCopy, decided);
    if (DECISIONS.containsKey(!fasterCopy)) {
      assertEquals(DECISIONS.get(false), DECISIONS.get(true), "decisions without and with --fasterCopy");
    }
  }

  static FraudDetectionOptions options(LocalStack stack, String run, Path flinkConf, int restPort) throws Exception {
    FraudDetectionOptions options = RunnerProfiles.flinkEmbedded(FraudDetectionOptions.class, "fraud-" + run);
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    // The embedded cluster's REST endpoint on a known port, refreshing metrics every half second
    // (10 s by default): the test reads the counters right after the output.
    Files.writeString(
        flinkConf.resolve("config.yaml"),
        "rest.address: 127.0.0.1\nrest.bind-address: 127.0.0.1\nrest.port: " + restPort + "\nrest.bind-port: " + restPort
            + "\nmetrics.fetcher.update-interval: 500\n"
            // every checkpoint's outcome, not the latest 10 (the test looks for failed ones)
            + "web.checkpoints.history: 10000\n");
    flink.setFlinkConfDir(flinkConf.toString());
    return KnownInput.withTestTopics(options, stack, run);
  }
}
