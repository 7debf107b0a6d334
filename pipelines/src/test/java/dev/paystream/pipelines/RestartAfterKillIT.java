package dev.paystream.pipelines;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.kafka.CommittedTopicReader;
import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.FraudDecision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The DirectRunner's restart path: the pipeline runs as a child JVM, is killed with {@code kill -9}
 * twice while deciding, and is started again each time by the same command (same consumer group,
 * same sink group). Whatever the killed processes had read is read again; the committed output
 * must still hold every valid payment exactly once and every malformed record once.
 *
 * <p>Not in the default {@code mvn verify} (2-4 min on 2 cores): {@code mvn -B -pl pipelines -am
 * verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=RestartAfterKillIT
 * -Dfailsafe.failIfNoSpecifiedTests=false}, also run by {@code .ci/run}.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(720)
class RestartAfterKillIT {
  // Enough that each kill lands mid-stream: the DirectRunner reading in batches decides about a
  // thousand payments a second, and 1,200 were all decided between two polls of the decisions.
  private static final int RECORDS = 6_000;
  private static final Pattern LOOKUP = Pattern.compile("Committed output of (\\S+) .*: (\\d+) keys, read in (\\d+) ms");

  @Test
  void theSameCommandAfterKillNineDecidesEveryPaymentExactlyOnce(LocalStack stack) throws Exception {
    String run = "restart" + System.nanoTime();
    FraudDetectionOptions options = FraudDetectionPipelineIT.options(stack, run);
    stack.createTopics(
        Map.of(options.getPaymentsTopic(), 4, options.getDecisionsTopic(), 4, options.getDeadLetterTopic(), 1));
    KnownInput input = KnownInput.generate(RECORDS);
    KafkaConnection kafka = KafkaConnections.from(options);
    List<String> command = command(options, run);
    int valid = input.validIds.size();

    try (CommittedTopicReader decisions = new CommittedTopicReader(kafka, options.getDecisionsTopic());
        CommittedTopicReader deadLetters = new CommittedTopicReader(kafka, options.getDeadLetterTopic())) {
      List<Path> logs = new ArrayList<>();
      int decidedBefore = 0;
      for (int kill = 1; kill <= 2; kill++) {
        // The input arrives a third before each run, so no run can decide everything before its
        // kill: the DirectRunner reading in batches commits thousands of decisions at once (in CI
        // run 1 went 0 -> 4,621 of 5,441 and run 2 then decided the rest before its kill).
        input.produce(kafka, options.getPaymentsTopic(), RECORDS * (kill - 1) / 3, RECORDS * kill / 3);
        Path log = Path.of("target", run + "-" + kill + ".log");
        logs.add(log);
        Process job = start(command, log);
        long started = System.nanoTime();
        int previously = decidedBefore;
        // At least one decision of this run's own: a run killed before it committed anything would
        // prove nothing about adopting its predecessor's progress.
        int killAt = previously + 1;
        try {
          await("decisions of run " + kill).atMost(Duration.ofMinutes(3)).pollDelay(Duration.ZERO)
              .until(() -> decisions.drain(Duration.ofMillis(200)).size() >= killAt);
          decidedBefore = decisions.drain(Duration.ofMillis(1)).size();
        } finally {
          job.destroyForcibly().waitFor();
        }
        long offsets = KnownInput.committedOffsets(kafka, options.getConsumerGroup(), options.getPaymentsTopic(), 0, Duration.ZERO);
        System.out.printf(
            "run %d: %d -> %d decisions committed in %d ms, then kill -9; %d dead letters committed; source offsets committed: %d%n",
            kill, previously, decidedBefore, (System.nanoTime() - started) / 1_000_000,
            deadLetters.drain(Duration.ofMillis(100)).size(), offsets);
        assertTrue(decidedBefore < valid, "killed before it decided everything: " + decidedBefore);
      }

      input.produce(kafka, options.getPaymentsTopic(), RECORDS * 2 / 3, RECORDS);
      Path log = Path.of("target", run + "-3.log");
      logs.add(log);
      Process job = start(command, log);
      long started = System.nanoTime();
      try {
        int beforeLast = decidedBefore;
        await("first new decision").atMost(Duration.ofMinutes(3)).pollDelay(Duration.ZERO)
            .until(() -> decisions.drain(Duration.ofMillis(100)).size() > beforeLast);
        long recovered = (System.nanoTime() - started) / 1_000_000;
        await("every decision").atMost(Duration.ofMinutes(3)).pollDelay(Duration.ZERO)
            .until(() -> decisions.drain(Duration.ofMillis(200)).size() >= valid);
        await("every dead letter").atMost(Duration.ofMinutes(1)).pollDelay(Duration.ZERO)
            .until(() -> deadLetters.drain(Duration.ofMillis(200)).size() >= input.malformedReasons.size());
        System.out.printf(
            "run 3: first new decision %d ms after start, all %d decided %d ms after start%n",
            recovered, valid, (System.nanoTime() - started) / 1_000_000);
        // Anything extra (a decision made twice) would show up within a few quiet seconds.
        List<FraudDecision> decided =
            CommittedTopicReader.values(decisions.drain(Duration.ofSeconds(5)), FraudDecision.getDecoder());
        List<DeadLetter> rejected =
            CommittedTopicReader.values(deadLetters.drain(Duration.ofMillis(1)), DeadLetter.getDecoder());

        input.assertExactlyOnce(decided, rejected, options.getPaymentsTopic());
      } finally {
        job.destroyForcibly().waitFor();
      }
      for (int restart = 1; restart < logs.size(); restart++) {
        String text = Files.readString(logs.get(restart));
        assertTrue(text.contains("adopting it"), "run " + (restart + 1) + " adopted its predecessor's sink progress");
        Matcher lookup = LOOKUP.matcher(text);
        while (lookup.find()) {
          System.out.printf("run %d read the committed output of %s: %s keys in %s ms%n",
              restart + 1, lookup.group(1), lookup.group(2), lookup.group(3));
        }
      }
    }
  }

  /** The pipeline's own arguments, as a user would type them: same groups on every start. */
  private static List<String> command(FraudDetectionOptions options, String run) {
    return List.of(
        "--runner=DirectRunner",
        "--targetParallelism=2",
        "--enforceImmutability=false",
        "--bootstrapServers=" + options.getBootstrapServers(),
        "--paymentsTopic=" + options.getPaymentsTopic(),
        "--decisionsTopic=" + options.getDecisionsTopic(),
        "--deadLetterTopic=" + options.getDeadLetterTopic(),
        "--consumerGroup=" + options.getConsumerGroup(),
        // two decision shards: a dead shard's open transaction must not hide the other's commits
        "--sinkShards=2",
        "--sinkGroupId=" + run + "-sink");
  }

  private static Process start(List<String> command, Path log) throws IOException {
    return PipelineProcess.start(FraudDetectionPipeline.class, List.of(), command, log);
  }
}
