package dev.paystream.pipelines.flink;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.paystream.io.kafka.CommittedTopicReader;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.io.localstack.LocalStackExtension.Secured;
import dev.paystream.pipelines.FraudDetectionOptions;
import dev.paystream.pipelines.KafkaAcls;
import dev.paystream.pipelines.KnownInput;
import dev.paystream.pipelines.Secrets;
import dev.paystream.pipelines.SecuredRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The job jar on a Flink session cluster against the secured broker, credentials from {@code
 * --kafkaPropertiesFile} on the submitting machine only: once its decisions are committed, no
 * password shows in what Flink's REST API (the web UI) serves about the job and the cluster
 * ({@code /jobs/<id>/config} with the pipeline options, {@code /jobmanager/config}, the plan,
 * exceptions, metric names), nor in the JobManager's, TaskManager's and client's logs.
 *
 * <p>Needs the job jar ({@code -Pflink-runner}); skipped without it.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class FlinkSessionSecuredIT {
  private static final int RECORDS = 200;

  @Test
  void theWebUiAndTheClusterLogsShowNoPassword(@Secured LocalStack stack) throws Exception {
    java.util.Optional<JobJar> built = JobJar.fromBuild();
    assumeTrue(built.isPresent(), "no job jar: run with -Pflink-runner");
    String run = "clustersecured" + System.nanoTime();
    Path work = Path.of("target", "flink-session-cluster", run).toAbsolutePath();
    Files.createDirectories(work);
    FraudDetectionOptions options =
        SecuredRuns.secured(PipelineOptionsFactory.as(FraudDetectionOptions.class), stack, run, SecuredRuns.USER, work);
    stack.grantKafka(KafkaAcls.fraudDetection(options, "User:" + SecuredRuns.USER));
    KnownInput input = KnownInput.generate(RECORDS);
    input.produce(SecuredRuns.admin(stack), options.getPaymentsTopic(), 0, RECORDS);

    try (SessionCluster cluster = SessionCluster.start(work.resolve("flink"), 1);
        CommittedTopicReader decisions = new CommittedTopicReader(SecuredRuns.admin(stack), options.getDecisionsTopic())) {
      built.get().submit(arguments(cluster, options, run), work.resolve("submit.log"), Duration.ofMinutes(4));
      String job = cluster.awaitRunningJob("fraud-" + run, Duration.ofMinutes(4));
      decisions.readUntil(read -> read.size() >= input.validIds.size(), Duration.ofMinutes(4));
      String shown = cluster.rest().shownAbout(job);
      cluster.cancel(job);

      assertTrue(shown.contains(options.getKafkaPropertiesFile()), "the job's config shows its options");
      Secrets.assertNoneIn(stack.security(), shown, "Flink's REST API");
      String logs = logs(work);
      assertTrue(logs.contains("Shard 0 of " + options.getDecisionsTopic()), "the TaskManager's log is searched");
      Secrets.assertNoneIn(stack.security(), logs, "the cluster's and the client's logs");
    }
  }

  private static List<String> arguments(SessionCluster cluster, FraudDetectionOptions options, String run) {
    return RunnerProfiles.args(
        "flink-cluster.options",
        List.of(
            "--flinkMaster=" + cluster.master(),
            "--bootstrapServers=" + options.getBootstrapServers(),
            "--kafkaPropertiesFile=" + options.getKafkaPropertiesFile(),
            "--paymentsTopic=" + options.getPaymentsTopic(),
            "--decisionsTopic=" + options.getDecisionsTopic(),
            "--deadLetterTopic=" + options.getDeadLetterTopic(),
            "--consumerGroup=" + options.getConsumerGroup(),
            "--jobName=fraud-" + run));
  }

  /** Every log file under {@code work}: the cluster's processes and the submitting client. */
  private static String logs(Path work) throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(work)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".log") || f.toString().endsWith(".out")).toList()) {
        all.append(Files.readString(file)).append('\n');
      }
    }
    return all.toString();
  }
}
