package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.kafka.CommittedTopicReader;
import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.io.redis.FeatureHash;
import dev.paystream.io.redis.RedisConnection;
import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.schemas.FraudDecision;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.JedisPooled;

/**
 * PostgreSQL and Redis are written outside the Kafka transactions, so after a failure they hold
 * decisions Kafka never committed, or lack some it did; once the pipeline runs again, they agree
 * with Kafka. The fraud pipeline is cancelled mid-stream, then restarted under the same consumer
 * group: the table must end up with exactly the committed decisions, with the same decision and
 * score, and Redis with each customer's features of their newest committed decision.
 *
 * <p>The first run has the Redis sink off: the extreme case of a process that died after its
 * decisions were committed but before their features reached Redis. The restarted run drops those
 * payments as already decided, so their features can only come from the committed decisions.
 */
@ExtendWith(LocalStackExtension.class)
class StoreConvergenceIT {
  private static final int RECORDS = 1_000;
  private static final int EARLY_CUSTOMERS = 10;

  @Test
  void postgresAndKafkaAgreeOnceTheCancelledPipelineRunsAgain(LocalStack stack) throws Exception {
    String run = "conv" + System.nanoTime();
    FraudDetectionOptions first = options(stack, run, "1");
    stack.createTopics(Map.of(first.getPaymentsTopic(), 4, first.getDecisionsTopic(), 4, first.getDeadLetterTopic(), 1));
    KafkaConnection kafka = KafkaConnections.from(first);
    // Ends at a busy hour: at night a few customers pay most of a short input, and the early
    // customers' payments would not fit in the first half (10 held 598 of 1,000 at 01:00 UTC).
    KnownInput generated = KnownInput.generate(RECORDS, KnownInput.latestBusyHour());
    Set<String> early = generated.records.stream()
        .filter(r -> r.kind() == Kind.VALID)
        .map(GeneratedRecord::key)
        .distinct()
        .limit(EARLY_CUSTOMERS)
        .collect(Collectors.toSet());
    KnownInput input = customersFirst(generated, early);
    Set<String> earlyIds = input.records.stream()
        .filter(r -> r.kind() == Kind.VALID && early.contains(r.key()))
        .map(GeneratedRecord::transactionId)
        .collect(Collectors.toSet());
    // The second half only once the first run is cancelled: the DirectRunner reading in batches
    // decided all 1,000 payments before the cancel took effect, so mid-stream needs input to come.
    int firstHalf = RECORDS / 2;
    input.produce(kafka, first.getPaymentsTopic(), 0, firstHalf);

    try (CommittedTopicReader decisions = new CommittedTopicReader(kafka, first.getDecisionsTopic())) {
      // Cancelled mid-stream: a third of the decisions committed, the rest in flight or not sent yet.
      PipelineResult cancelled = start(first);
      try {
        Set<String> decidedFirst =
            latest(decisions.readUntil(
                    r -> r.size() >= input.validIds.size() / 3 && latest(r).keySet().containsAll(earlyIds), Duration.ofMinutes(5)))
                .keySet();
        assertTrue(decidedFirst.containsAll(earlyIds),
            "the first run decides every payment of the early customers (" + earlyIds.size() + ", in the first half): "
                + earlyIds.stream().filter(id -> !decidedFirst.contains(id)).count() + " undecided");
      } finally {
        PipelineMain.cancel(cancelled);
      }
      java.util.List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> atCancel =
          decisions.drain(Duration.ofSeconds(2));
      Map<String, String> committedAtCancel = latest(atCancel);
      Map<String, String> rowsAtCancel = rows(stack);
      assertTrue(committedAtCancel.size() < input.validIds.size(),
          "cancelled mid-stream: " + committedAtCancel.size() + " of " + input.validIds.size() + " committed at the cancel");
      input.produce(kafka, first.getPaymentsTopic(), firstHalf, RECORDS);

      // Restarted, as the same consumer (it resumes from the group's committed offsets). A new sink
      // group: a DirectRunner job keeps no checkpoint, and its sinks refuse another job's sink state
      // (accepting a restart under the same --sinkGroupId is another change; this test must not
      // depend on it).
      FraudDetectionOptions second = options(stack, run, "2");
      second.setWriteToRedis(true);
      second.setRedisUrl(stack.redisUrl());
      PipelineResult restarted = start(second);
      try {
        java.util.List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> all = atCancel;
        Map<String, String> committed = committedAtCancel;
        Map<String, String> rows = rowsAtCancel;
        Map<String, Long> newest = Map.of();
        Map<String, Long> features = Map.of();
        long deadline = System.nanoTime() + Duration.ofMinutes(8).toNanos();
        while (!(committed.keySet().equals(input.validIds) && rows.equals(committed) && features.equals(newest))
            && System.nanoTime() < deadline) {
          all = decisions.readUntil(r -> false, Duration.ofSeconds(1));
          committed = latest(all);
          rows = rows(stack);
          newest = newestEventTimes(all);
          features = featureEventTimes(stack, newest.keySet());
        }
        Map<String, Long> inRedis = features;
        System.out.printf(
            "At the cancel: %d decisions committed, %d rows in PostgreSQL; after the restart: %d and %d (%d valid payments);"
                + " Redis: %d of %d customers at their newest committed decision%n",
            committedAtCancel.size(), rowsAtCancel.size(), committed.size(), rows.size(), input.validIds.size(),
            newest.entrySet().stream().filter(e -> e.getValue().equals(inRedis.get(e.getKey()))).count(), newest.size());
        // The early customers' payments were all decided by the first run, which wrote nothing to
        // Redis: their hashes can only come from the committed decisions read back at start.
        Map<String, Long> earlyNewest = new TreeMap<>(newest);
        earlyNewest.keySet().retainAll(early);
        Map<String, Long> earlyInRedis = new TreeMap<>(inRedis);
        earlyInRedis.keySet().retainAll(early);
        assertEquals(earlyNewest, earlyInRedis, "Redis event_time of the customers decided only by the first run");
        // Every committed decision has its row, with the same decision and score, and no row is
        // left of a decision Kafka never committed.
        assertEquals(committed, rows, "fraud_decisions against the committed decisions");
        assertEquals(input.validIds, committed.keySet(), "every valid payment decided");
        // Each customer's features are those of their newest committed decision, also where that
        // decision was committed by the first run (which wrote nothing to Redis).
        assertEquals(newest, features, "Redis event_time per customer against the newest committed decision");
      } finally {
        PipelineMain.cancel(restarted);
      }
    }
  }

  /**
   * {@code input} with every record of the {@code early} customers moved to the front: the first
   * run decides all their payments, so their features can reach Redis only from the committed
   * decisions (the first run writes none, the second drops their payments as already decided).
   */
  private static KnownInput customersFirst(KnownInput input, Set<String> early) {
    List<GeneratedRecord> reordered = new ArrayList<>();
    input.records.stream().filter(r -> early.contains(r.key())).forEach(reordered::add);
    input.records.stream().filter(r -> !early.contains(r.key())).forEach(reordered::add);
    return KnownInput.of(reordered);
  }

  private static PipelineResult start(FraudDetectionOptions options) {
    Pipeline pipeline = Pipeline.create(options);
    FraudDetectionPipeline.build(pipeline, options);
    return pipeline.run();
  }

  private static FraudDetectionOptions options(LocalStack stack, String run, String attempt) {
    FraudDetectionOptions options = FraudDetectionPipelineIT.options(stack, run);
    options.setSinkGroupId("sink-" + run + "-" + attempt);
    options.setWriteToPostgres(true);
    options.setPostgresJdbcUrl(stack.jdbcUrl());
    options.setPostgresUser(stack.postgresUser());
    return options;
  }

  /** Each transaction's latest committed decision ("decision score"), as a compacted topic keeps it. */
  private static Map<String, String> latest(java.util.List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> records) {
    Map<String, String> latest = new TreeMap<>();
    for (FraudDecision decision : CommittedTopicReader.values(records, FraudDecision.getDecoder())) {
      latest.put(decision.getTransactionId(), decision.getDecision() + " " + decision.getScore());
    }
    return latest;
  }

  /** Each customer's newest event time among the committed decisions. */
  private static Map<String, Long> newestEventTimes(java.util.List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> records) {
    Map<String, Long> newest = new TreeMap<>();
    for (FraudDecision decision : CommittedTopicReader.values(records, FraudDecision.getDecoder())) {
      newest.merge(decision.getCustomerId(), decision.getEventTime(), Math::max);
    }
    return newest;
  }

  /** The event time of each customer's features in Redis (customers without a hash left out). */
  private static Map<String, Long> featureEventTimes(LocalStack stack, java.util.Set<String> customers) {
    Map<String, Long> times = new TreeMap<>();
    try (JedisPooled redis = RedisConnection.of(stack.redisUrl()).open()) {
      for (String customer : customers) {
        String time = redis.hget(FeatureHash.key(customer), "event_time");
        if (time != null) {
          times.put(customer, Long.parseLong(time));
        }
      }
    }
    return times;
  }

  /** Each row of fraud_decisions ("decision score"); empty before the sink created the table. */
  private static Map<String, String> rows(LocalStack stack) throws SQLException {
    Map<String, String> rows = new TreeMap<>();
    try (Connection connection = DriverManager.getConnection(stack.jdbcUrl(), stack.postgresUser(), stack.postgresPassword());
        Statement statement = connection.createStatement()) {
      if (!exists(statement)) {
        return rows;
      }
      try (ResultSet result = statement.executeQuery("SELECT transaction_id, decision, score FROM fraud_decisions")) {
        while (result.next()) {
          rows.put(result.getString(1), result.getString(2) + " " + result.getDouble(3));
        }
      }
    }
    return rows;
  }

  private static boolean exists(Statement statement) throws SQLException {
    try (ResultSet result = statement.executeQuery("SELECT to_regclass('fraud_decisions') IS NOT NULL")) {
      result.next();
      return result.getBoolean(1);
    }
  }
}
