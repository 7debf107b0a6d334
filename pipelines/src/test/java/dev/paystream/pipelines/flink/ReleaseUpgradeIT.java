package dev.paystream.pipelines.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.paystream.io.kafka.CommittedTopicReader;
import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.pipelines.KnownInput;
import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.pipelines.generator.SchemaVersion;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.PaymentEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running job upgraded to this release from a savepoint of an earlier one ({@code bash
 * chaos/upgrade.sh}, which builds the earlier release's job jar from git and names its checkout
 * in {@code paystream.previousRelease}): on a Flink session cluster,
 *
 * <ol>
 *   <li>the earlier release's job (its own jar and its own {@code flink-cluster.options}) decides the
 *       first half of the payments;
 *   <li>it is stopped with a savepoint;
 *   <li>this release's job is submitted with {@code --savepointPath} and decides the second half.
 * </ol>
 *
 * Then, from the committed output: every valid payment decided exactly once (by record key: the
 * earlier release wrote its decisions with its own schema), every malformed record dead-lettered
 * exactly once, records in = decisions + dead letters + duplicates; and the restored history
 * carries on: a customer the earlier release had seen is not new to this release (every decision
 * here has {@code history_count}, the payments behind the customer's profile, above 0; a job that
 * lost the state would give the first payment it meets 0).
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ReleaseUpgradeIT {
  private static final Logger LOG = LoggerFactory.getLogger(ReleaseUpgradeIT.class);
  private static final int RECORDS = Integer.getInteger("paystream.upgrade.records", 3_000);
  private static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);

  @Test
  void aSavepointOfTheEarlierReleaseRestoresIntoThisOneExactlyOnce(LocalStack stack) throws Exception {
    String previousRelease = System.getProperty("paystream.previousRelease");
    assumeTrue(previousRelease != null, "run by chaos/upgrade.sh, which builds the earlier release");
    assumeTrue(JobJar.fromBuild().isPresent(), "no job jar: run with -Pflink-runner");
    Path earlier = Path.of(previousRelease).toAbsolutePath();
    JobJar earlierJar = JobJar.at(earlier.resolve("pipelines/target/paystream-pipelines-0.1.0-SNAPSHOT-flink-job.jar"));
    JobJar thisJar = JobJar.fromBuild().get();

    String run = "upgrade" + System.nanoTime();
    Path work = Path.of("target", "release-upgrade", run).toAbsolutePath();
    String payments = "payments-" + run;
    String decisionsTopic = "fraud-decisions-" + run;
    String deadLettersTopic = "payments.dlq-" + run;
    stack.createTopics(Map.of(payments, 4, decisionsTopic, 4, deadLettersTopic, 1));
    KafkaConnection kafka = KafkaConnection.to(stack.kafkaBootstrapServers());
    // PaymentEvent v1 throughout: the earlier release knows no other (consumers first, README).
    KnownInput input = KnownInput.generate(RECORDS, KnownInput.latestBusyHour(), SchemaVersion.V1);
    // A plain half: re-sends of payments the earlier release decided reach this one, whose restored
    // dedup state must drop them.
    int half = RECORDS / 2;
    List<String> overrides = List.of(
        "--bootstrapServers=" + stack.kafkaBootstrapServers(),
        "--paymentsTopic=" + payments,
        "--decisionsTopic=" + decisionsTopic,
        "--deadLetterTopic=" + deadLettersTopic,
        "--consumerGroup=fraud-" + run,
        "--sinkGroupId=fraud-" + run + "-sink",
        "--jobName=fraud-" + run);

    try (SessionCluster cluster = SessionCluster.start(work.resolve("flink"), 2);
        CommittedTopicReader decisions = new CommittedTopicReader(kafka, decisionsTopic);
        CommittedTopicReader deadLetters = new CommittedTopicReader(kafka, deadLettersTopic)) {
      List<String> withMaster = new ArrayList<>(overrides);
      withMaster.add("--flinkMaster=" + cluster.master());

      input.produce(kafka, payments, 0, half);
      earlierJar.submit(
          RunnerProfiles.args(earlier.resolve("runner-profiles"), "flink-cluster.options", withMaster),
          work.resolve("submit-earlier.log"), STEP_TIMEOUT);
      String earlierJob = cluster.awaitRunningJob("fraud-" + run, STEP_TIMEOUT);
      input.awaitCommittedOutput(decisions, deadLetters, half, STEP_TIMEOUT);
      String savepoint = cluster.stopWithSavepoint(earlierJob, work.resolve("savepoints"), STEP_TIMEOUT);
      cluster.awaitJobState(earlierJob, "FINISHED", STEP_TIMEOUT);
      Set<String> decidedByEarlier = keys(decisions.drain(Duration.ofSeconds(5)));

      List<String> restore = new ArrayList<>(RunnerProfiles.args("flink-cluster.options", withMaster));
      restore.add("--savepointPath=" + savepoint);
      long restoreStart = System.nanoTime();
      thisJar.submit(restore, work.resolve("submit-this.log"), STEP_TIMEOUT);
      String thisJob = cluster.awaitRunningJob("fraud-" + run, STEP_TIMEOUT);
      input.produce(kafka, payments, half, RECORDS);
      input.awaitCommittedOutput(decisions, deadLetters, RECORDS, STEP_TIMEOUT);
      long allDecided = System.nanoTime();
      List<ConsumerRecord<byte[], byte[]>> decided = decisions.drain(Duration.ofSeconds(10));
      List<ConsumerRecord<byte[], byte[]>> rejected = deadLetters.drain(Duration.ofMillis(1));
      cluster.cancel(thisJob);

      assertExactlyOnce(input, decided, rejected);
      Map<String, Long> leastHistoryHere = leastHistoryPerCustomer(decided, decidedByEarlier);
      Map<String, String> customerOf = customers(input);
      Set<String> seenByEarlier =
          decidedByEarlier.stream().map(customerOf::get).collect(Collectors.toCollection(HashSet::new));
      Map<String, Long> forgotten = new TreeMap<>();
      int carriedOn = 0;
      for (Map.Entry<String, Long> least : leastHistoryHere.entrySet()) {
        if (seenByEarlier.contains(least.getKey())) {
          carriedOn++;
          if (least.getValue() == 0) {
            forgotten.put(least.getKey(), least.getValue());
          }
        }
      }
      LOG.info("Release upgrade: {} records; {} decided by the earlier release, {} by this one; restore to all"
              + " decided {} ms; {} customers seen by both, {} without their history",
          RECORDS, decidedByEarlier.size(), decided.size() - decidedByEarlier.size(),
          TimeUnit.NANOSECONDS.toMillis(allDecided - restoreStart), carriedOn, forgotten.size());
      assertTrue(decidedByEarlier.size() >= input.validIds.size() / 3 && decided.size() - decidedByEarlier.size() >= input.validIds.size() / 3,
          "each release decided a good part of the payments");
      assertTrue(carriedOn >= 50, "both releases decided payments of the same customers: " + carriedOn);
      assertEquals(Map.of(), forgotten, "customers whose history the upgrade lost (least history_count here)");
    }
  }

  /** Exactly once by record key and dead-letter payload: valid for either release's schema. */
  private static void assertExactlyOnce(
      KnownInput input, List<ConsumerRecord<byte[], byte[]>> decided, List<ConsumerRecord<byte[], byte[]>> rejected) {
    Map<String, Long> perId = decided.stream()
        .collect(Collectors.groupingBy(r -> new String(r.key(), StandardCharsets.UTF_8), Collectors.counting()));
    Map<String, Long> twice = new HashMap<>(perId);
    twice.values().removeIf(n -> n == 1);
    assertEquals(Map.of(), twice, "transactions decided more than once");
    assertEquals(input.validIds, perId.keySet(), "one decision per valid payment");
    long malformed = input.records.stream().filter(r -> r.kind() == Kind.MALFORMED).count();
    assertEquals(malformed, rejected.size(), "dead letters committed");
    assertEquals(input.total(), decided.size() + rejected.size() + input.duplicates(),
        "records in = decisions + dead letters + duplicates");
  }

  private static Set<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).collect(Collectors.toSet());
  }

  /**
   * The least {@code history_count} of each customer's decisions by this release (the earlier
   * release's are left out: they carry its schema, and its first payments rightly had none).
   */
  private static Map<String, Long> leastHistoryPerCustomer(
      List<ConsumerRecord<byte[], byte[]>> decided, Set<String> decidedByEarlier) throws Exception {
    Map<String, Long> least = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : decided) {
      if (!decidedByEarlier.contains(new String(record.key(), StandardCharsets.UTF_8))) {
        FraudDecision decision = FraudDecision.getDecoder().decode(record.value());
        least.merge(decision.getCustomerId(), decision.getFeatures().getHistoryCount(), Math::min);
      }
    }
    return least;
  }

  private static Map<String, String> customers(KnownInput input) throws Exception {
    return input.validPayments().stream()
        .collect(Collectors.toMap(PaymentEvent::getTransactionId, PaymentEvent::getCustomerId, (a, b) -> a));
  }
}
