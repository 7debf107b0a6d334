package dev.paystream.pipelines.flink;

import dev.paystream.pipelines.KnownInput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.paystream.io.kafka.CommittedTopicReader;
import dev.paystream.io.kafka.DropReplayedOffsets;
import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.FraudDecision;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job jar on a real Flink 1.19 session cluster (a JobManager and a TaskManager in their own
 * JVMs, started by {@code runner-profiles/flink-session-cluster.sh}), submitted the documented way
 * ({@code java -jar <job jar>} with {@code runner-profiles/flink-cluster.options}), stopped with a
 * savepoint halfway and restored from it with the same sink group and consumer group:
 *
 * <ol>
 *   <li>the first half of the payments is sent, the job is submitted and commits their output;
 *   <li>the job is stopped with a savepoint ({@code POST /jobs/:id/stop});
 *   <li>a quarter more is sent while no job runs;
 *   <li>the job is resubmitted with {@code --savepointPath}; the last quarter is sent once it runs;
 *   <li>the committed output must hold every decision and dead letter exactly once, and the
 *       consumer group's offsets must cover the whole input.
 * </ol>
 *
 * <p>A job restored from a savepoint reads the partitions twice if Beam re-assigns splits it already
 * restored (Beam #34890), and loses records if offsets are auto-committed or start at latest (Beam
 * #21742): either shows up here as a duplicate dead letter, a missing decision, or wrong offsets.
 *
 * <p>Needs the job jar, so it runs with {@code -Pflink-runner}, which builds it and passes its path
 * as {@code paystream.flink.jobJar}; without it the test is skipped.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class FlinkSessionClusterIT {
  private static final Logger LOG = LoggerFactory.getLogger(FlinkSessionClusterIT.class);
  private static final int RECORDS = Integer.getInteger("paystream.flink.records", 2_000);
  private static final Duration STEP_TIMEOUT = Duration.ofMinutes(4);

  @Test
  void stopWithSavepointAndRestoreLosesAndDuplicatesNothing(LocalStack stack) throws Exception {
    java.util.Optional<JobJar> built = JobJar.fromBuild();
    assumeTrue(built.isPresent(), "no job jar: run with -Pflink-runner");
    JobJar jobJar = built.get();

    String run = "cluster" + System.nanoTime();
    // Under target/, not a temporary directory: the cluster's logs, checkpoints and savepoints and
    // the clients' output stay there for a look after a failure.
    Path work = Path.of("target", "flink-session-cluster", run).toAbsolutePath();
    Topics topics = new Topics(run);
    stack.createTopics(Map.of(topics.payments, 4, topics.decisions, 4, topics.deadLetters, 1));
    KafkaConnection kafka = KafkaConnection.to(stack.kafkaBootstrapServers());
    KnownInput input = KnownInput.generate(RECORDS);
    int half = RECORDS / 2;
    int threeQuarters = RECORDS * 3 / 4;

    try (SessionCluster cluster = SessionCluster.start(work.resolve("flink"), 2);
        CommittedTopicReader decisions = new CommittedTopicReader(kafka, topics.decisions);
        CommittedTopicReader deadLetters = new CommittedTopicReader(kafka, topics.deadLetters)) {
      List<String> job = jobArgs(cluster, stack, topics, run);

      // 1. The first half, and a fresh job.
      input.produce(kafka, topics.payments, 0, half);
      long submitStart = System.nanoTime();
      jobJar.submit(job, work.resolve("submit-1.log"), STEP_TIMEOUT);
      long submitted = System.nanoTime();
      String firstJob = cluster.awaitRunningJob(topics.jobName, STEP_TIMEOUT);
      long running = System.nanoTime();
      input.awaitCommittedOutput(decisions, deadLetters, half, STEP_TIMEOUT);
      long firstOutputDone = System.nanoTime();

      // 2. Stop with a savepoint.
      long stopStart = System.nanoTime();
      String savepoint = cluster.stopWithSavepoint(firstJob, work.resolve("savepoints"), STEP_TIMEOUT);
      cluster.awaitJobState(firstJob, "FINISHED", STEP_TIMEOUT);
      long stopped = System.nanoTime();
      long committedAtStop =
          KnownInput.committedOffsets(kafka, topics.consumerGroup, topics.payments, half, Duration.ofSeconds(30));

      // 3. A quarter more while nothing runs, then 4. restore from the savepoint.
      input.produce(kafka, topics.payments, half, threeQuarters);
      List<String> restore = new ArrayList<>(job);
      restore.add("--savepointPath=" + savepoint);
      long restoreStart = System.nanoTime();
      jobJar.submit(restore, work.resolve("submit-2.log"), STEP_TIMEOUT);
      String secondJob = cluster.awaitRunningJob(topics.jobName, STEP_TIMEOUT);
      long restored = System.nanoTime();
      input.produce(kafka, topics.payments, threeQuarters, RECORDS);
      input.awaitCommittedOutput(decisions, deadLetters, RECORDS, STEP_TIMEOUT);
      long allOutput = System.nanoTime();
      List<ConsumerRecord<byte[], byte[]>> decided = decisions.drain(Duration.ofSeconds(10));
      List<ConsumerRecord<byte[], byte[]>> rejected = deadLetters.drain(Duration.ofMillis(1));
      long committedAtEnd =
          KnownInput.committedOffsets(kafka, topics.consumerGroup, topics.payments, RECORDS, Duration.ofSeconds(60));
      // How often the restored job's source delivered a record twice (Beam #34890), and the guard
      // dropped it: informational, the exact output below is what must hold.
      long replayed = cluster.rest().counter(secondJob, DropReplayedOffsets.METRICS_NAMESPACE, "replayed_records");
      cluster.cancel(secondJob);

      LOG.info(
          "Flink session cluster: {} records; submit (client JVM start to return) {} ms, job running {} ms "
              + "after submit start, first half's output committed {} ms after submit start; stop with "
              + "savepoint {} ms; restore (submit to running) {} ms; the second half's output committed {} "
              + "ms after the restore was submitted; offsets committed at stop {}, at the end {}; records the "
              + "restored job's source delivered twice (dropped by DropReplayedOffsets): {}",
          RECORDS,
          millis(submitStart, submitted),
          millis(submitStart, running),
          millis(submitStart, firstOutputDone),
          millis(stopStart, stopped),
          millis(restoreStart, restored),
          millis(restoreStart, allOutput),
          committedAtStop,
          committedAtEnd,
          replayed);

      input.assertExactlyOnce(
          CommittedTopicReader.values(decided, FraudDecision.getDecoder()),
          CommittedTopicReader.values(rejected, DeadLetter.getDecoder()),
          topics.payments);
      assertEquals(half, committedAtStop, "offsets committed when the job stopped with a savepoint");
      assertEquals(RECORDS, committedAtEnd, "offsets committed by " + topics.consumerGroup);
      assertTrue(savepoint.startsWith("file:"), savepoint);
    }
  }

  /** The documented submission: the job jar's main with the cluster options file, then this run's. */
  private static List<String> jobArgs(SessionCluster cluster, LocalStack stack, Topics topics, String run) {
    return RunnerProfiles.args(
        "flink-cluster.options",
        List.of(
            "--flinkMaster=" + cluster.master(),
            "--bootstrapServers=" + stack.kafkaBootstrapServers(),
            "--paymentsTopic=" + topics.payments,
            "--decisionsTopic=" + topics.decisions,
            "--deadLetterTopic=" + topics.deadLetters,
            "--consumerGroup=" + topics.consumerGroup,
            // The same sink group for the restored job: the sinks' progress lives under it.
            "--sinkGroupId=" + topics.consumerGroup + "-sink",
            "--jobName=" + topics.jobName));
  }

  private static long millis(long fromNanos, long toNanos) {
    return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
  }

  private static final class Topics {
    final String payments;
    final String decisions;
    final String deadLetters;
    final String consumerGroup;
    final String jobName;

    Topics(String run) {
      payments = "payments-" + run;
      decisions = "fraud-decisions-" + run;
      deadLetters = "payments.dlq-" + run;
      consumerGroup = "fraud-" + run;
      jobName = "fraud-" + run;
    }
  }
}
