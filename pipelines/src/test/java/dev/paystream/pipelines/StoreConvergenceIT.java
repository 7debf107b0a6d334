package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.kafka.CommittedTopicReader;
import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.schemas.FraudDecision;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PostgreSQL is written outside the Kafka transactions, so after a failure it holds decisions Kafka
 * never committed; once the pipeline runs again, the two agree. The fraud pipeline with the
 * PostgreSQL sink on is cancelled mid-stream, then restarted under the same consumer group, and
 * the table must end up with exactly the committed decisions, with the same decision and score.
 */
@ExtendWith(LocalStackExtension.class)
class StoreConvergenceIT {
  private static final int RECORDS = 1_000;

  @Test
  void postgresAndKafkaAgreeOnceTheCancelledPipelineRunsAgain(LocalStack stack) throws Exception {
    String run = "conv" + System.nanoTime();
    FraudDetectionOptions first = options(stack, run, "1");
    stack.createTopics(Map.of(first.getPaymentsTopic(), 4, first.getDecisionsTopic(), 4, first.getDeadLetterTopic(), 1));
    KafkaConnection kafka = KafkaConnections.from(first);
    KnownInput input = KnownInput.generate(RECORDS);
    input.produce(kafka, first.getPaymentsTopic(), 0, RECORDS);

    try (CommittedTopicReader decisions = new CommittedTopicReader(kafka, first.getDecisionsTopic())) {
      // Cancelled mid-stream: a third of the decisions committed, the rest in flight.
      PipelineResult cancelled = start(first);
      try {
        decisions.readUntil(r -> r.size() >= input.validIds.size() / 3, Duration.ofMinutes(3));
      } finally {
        PipelineMain.cancel(cancelled);
      }
      Map<String, String> committedAtCancel = latest(decisions.drain(Duration.ofSeconds(2)));
      Map<String, String> rowsAtCancel = rows(stack);
      assertTrue(committedAtCancel.size() < input.validIds.size(), "cancelled mid-stream");

      // Restarted, as the same consumer (it resumes from the group's committed offsets). A new sink
      // group: a DirectRunner job keeps no checkpoint, and its sinks refuse another job's sink state
      // (accepting a restart under the same --sinkGroupId is another change; this test must not
      // depend on it).
      PipelineResult restarted = start(options(stack, run, "2"));
      try {
        Map<String, String> committed = committedAtCancel;
        Map<String, String> rows = rowsAtCancel;
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!(committed.keySet().equals(input.validIds) && rows.equals(committed)) && System.nanoTime() < deadline) {
          committed = latest(decisions.readUntil(r -> false, Duration.ofSeconds(1)));
          rows = rows(stack);
        }
        System.out.printf(
            "At the cancel: %d decisions committed, %d rows in PostgreSQL; after the restart: %d and %d (%d valid payments)%n",
            committedAtCancel.size(), rowsAtCancel.size(), committed.size(), rows.size(), input.validIds.size());
        // Every committed decision has its row, with the same decision and score, and no row is
        // left of a decision Kafka never committed.
        assertEquals(committed, rows, "fraud_decisions against the committed decisions");
        assertEquals(input.validIds, committed.keySet(), "every valid payment decided");
      } finally {
        PipelineMain.cancel(restarted);
      }
    }
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
