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
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.FraudDecision;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job jar on a Flink session cluster against the secured broker, credentials from {@code
 * --kafkaPropertiesFile} on the submitting machine only: every record decided exactly once (read
 * back {@code read_committed}), and once its decisions are committed, no
 * password shows in what Flink's REST API (the web UI) serves about the job and the cluster
 * ({@code /jobs/<id>/config} with the pipeline options, {@code /jobmanager/config}, the plan,
 * exceptions, metric names), nor in the JobManager's, TaskManager's and client's logs.
 *
 * <p>Needs the job jar ({@code -Pflink-runner}); skipped without it.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class FlinkSessionSecuredIT {
  private static final Logger LOG = LoggerFactory.getLogger(FlinkSessionSecuredIT.class);
  private static final int RECORDS = 200;
  private static final Duration STEP_TIMEOUT = Duration.ofMinutes(4);

  @Test
  void decidesExactlyOnceAndTheWebUiAndTheClusterLogsShowNoPassword(@Secured LocalStack stack) throws Exception {
    java.util.Optional<JobJar> built = JobJar.fromBuild();
    assumeTrue(built.isPresent(), "no job jar: run with -Pflink-runner");
    long start = System.nanoTime();
    String run = "clustersecured" + System.nanoTime();
    Path work = Path.of("target", "flink-session-cluster", run).toAbsolutePath();
    Files.createDirectories(work);
    FraudDetectionOptions options =
        SecuredRuns.secured(PipelineOptionsFactory.as(FraudDetectionOptions.class), stack, run, SecuredRuns.USER, work);
    stack.grantKafka(KafkaAcls.fraudDetection(options, "User:" + SecuredRuns.USER));
    KnownInput input = KnownInput.generate(RECORDS);
    input.produce(SecuredRuns.admin(stack), options.getPaymentsTopic(), 0, RECORDS);
    // As many slots as the options file's parallelism: with fewer, Flink's default scheduler waits
    // for all of them before it deploys any task, and the job sits SCHEDULED until the slot request
    // times out (5 min) - what this test's first runs met, with 1 slot for a parallelism of 2.
    int slots = Integer.parseInt(RunnerProfiles.option("flink-cluster.options", "--parallelism"));

    try (SessionCluster cluster = SessionCluster.start(work.resolve("flink"), slots);
        CommittedTopicReader decisions = new CommittedTopicReader(SecuredRuns.admin(stack), options.getDecisionsTopic());
        CommittedTopicReader deadLetters = new CommittedTopicReader(SecuredRuns.admin(stack), options.getDeadLetterTopic())) {
      long clusterUp = System.nanoTime();
      built.get().submit(arguments(cluster, options, run), work.resolve("submit.log"), STEP_TIMEOUT);
      String job = cluster.awaitRunningJob("fraud-" + run, STEP_TIMEOUT);
      long running = System.nanoTime();
      input.awaitCommittedOutput(decisions, deadLetters, RECORDS, STEP_TIMEOUT);
      long decided = System.nanoTime();
      // A few more checkpoints' time: a record written twice would show up now.
      List<FraudDecision> committed = CommittedTopicReader.values(decisions.drain(Duration.ofSeconds(10)), FraudDecision.getDecoder());
      List<DeadLetter> rejected = CommittedTopicReader.values(deadLetters.drain(Duration.ofMillis(1)), DeadLetter.getDecoder());
      String shown = cluster.rest().shownAbout(job);
      cluster.cancel(job);
      LOG.info(
          "Secured session cluster: topics, input and cluster up {} ms, submit to running {} ms, all output committed {} ms later",
          millis(start, clusterUp), millis(clusterUp, running), millis(running, decided));

      input.assertExactlyOnce(committed, rejected, options.getPaymentsTopic());
      assertTrue(shown.contains(options.getKafkaPropertiesFile()), "the job's config shows its options");
      Secrets.assertNoneIn(stack.security(), shown, "Flink's REST API");
      String logs = logs(work);
      assertTrue(logs.contains("Shard 0 of " + options.getDecisionsTopic()), "the TaskManager's log is searched");
      Secrets.assertNoneIn(stack.security(), logs, "the cluster's and the client's logs");
    }
  }

  private static long millis(long fromNanos, long toNanos) {
    return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
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
