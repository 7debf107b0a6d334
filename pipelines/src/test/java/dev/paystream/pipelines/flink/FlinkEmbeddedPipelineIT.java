package dev.paystream.pipelines.flink;

import dev.paystream.pipelines.KnownInput;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.pipelines.FraudDetectionOptions;
import dev.paystream.pipelines.FraudRun;
import dev.paystream.pipelines.KafkaConnections;
import dev.paystream.transforms.dedup.DeduplicatePayments;
import dev.paystream.transforms.validate.ValidatePayments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
 * <p>{@code -Dpaystream.flink.records=N} changes the input size (default 3,000), for throughput
 * measurements.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class FlinkEmbeddedPipelineIT {
  private static final Logger LOG = LoggerFactory.getLogger(FlinkEmbeddedPipelineIT.class);
  private static final int RECORDS = Integer.getInteger("paystream.flink.records", 3_000);

  @Test
  void everyRecordEndsUpAsExactlyOneDecisionDeadLetterOrDroppedDuplicate(LocalStack stack, @TempDir Path flinkConf)
      throws Exception {
    String run = "flink" + System.nanoTime();
    int restPort = SessionCluster.freePort();
    FraudDetectionOptions options = options(stack, run, flinkConf, restPort);
    stack.createTopics(
        Map.of(options.getPaymentsTopic(), 4, options.getDecisionsTopic(), 4, options.getDeadLetterTopic(), 1));
    KafkaConnection kafka = KafkaConnections.from(options);
    KnownInput input = KnownInput.generate(RECORDS);
    input.produce(kafka, options.getPaymentsTopic(), 0, RECORDS);

    // Beam's counters, from the embedded cluster's REST endpoint while the job still runs (Beam's
    // Flink runner puts them in the PipelineResult only when a job finishes, which this one never does).
    FlinkRest rest = new FlinkRest(restPort);
    long[] counters = new long[2];
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
            });
    LOG.info(
        "Flink embedded: {} records, all output committed {} ms after the job started: {} records/s",
        RECORDS,
        output.elapsed().toMillis(),
        String.format("%.0f", RECORDS * 1000.0 / output.elapsed().toMillis()));
    LOG.info("Flink embedded counters: duplicates {}, valid {}", counters[0], counters[1]);

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
  }

  static FraudDetectionOptions options(LocalStack stack, String run, Path flinkConf, int restPort) throws Exception {
    FraudDetectionOptions options = RunnerProfiles.flinkEmbedded(FraudDetectionOptions.class, "fraud-" + run);
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    // The embedded cluster's REST endpoint on a known port, refreshing metrics every half second
    // (10 s by default): the test reads the counters right after the output.
    Files.writeString(
        flinkConf.resolve("config.yaml"),
        "rest.address: 127.0.0.1\nrest.bind-address: 127.0.0.1\nrest.port: " + restPort + "\nrest.bind-port: " + restPort
            + "\nmetrics.fetcher.update-interval: 500\n");
    flink.setFlinkConfDir(flinkConf.toString());
    return KnownInput.withTestTopics(options, stack, run);
  }
}
