package dev.paystream.io.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.io.sinks.DecisionRows;
import dev.paystream.io.sinks.DirectPipelines;
import dev.paystream.io.sinks.Outage;
import dev.paystream.io.sinks.TestDecisions;
import dev.paystream.schemas.FraudDecision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@ExtendWith(LocalStackExtension.class)
@Timeout(300)
class PostgresSinkIT {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresSinkIT.class);
  /** The metrics namespace of JdbcIO's writer, whose distributions time each batch. */
  private static final String JDBC_WRITER = "org.apache.beam.sdk.io.jdbc.JdbcIO$WriteFn";

  private final LocalStack stack;
  private final TestDecisions data = new TestDecisions();
  private final DecisionRows rows;

  PostgresSinkIT(LocalStack stack) {
    this.stack = stack;
    this.rows = new DecisionRows(stack, data.prefix());
  }

  @Test
  void replayLeavesEveryRowByteForByteTheSame() {
    List<FraudDecision> decisions = data.decisions(250, 20);

    long start = System.nanoTime();
    PipelineResult result = write(decisions);
    long millis = (System.nanoTime() - start) / 1_000_000;
    long sinkMillis =
        DirectPipelines.distributionSum(result, JDBC_WRITER, "milliseconds_per_batch");
    LOG.info(
        "Wrote {} decisions in {} ms: {} rows/s through the DirectRunner; {} ms in JDBC batches:"
            + " {} rows/s per writer thread",
        decisions.size(), millis, decisions.size() * 1000L / millis, sinkMillis,
        decisions.size() * 1000L / Math.max(1, sinkMillis));
    List<String> first = rows.dump();
    // A replay, with every decision twice, so that duplicates also meet within one batch.
    List<FraudDecision> twice = new ArrayList<>(decisions);
    twice.addAll(decisions);
    write(twice);

    assertEquals(decisions.size(), first.size());
    assertEquals(first, rows.dump());
    assertEquals(sortedByTransaction(decisions), rows.decisions());
  }

  @Test
  void changedDecisionForTheSameTransactionReplacesItsRow() {
    List<FraudDecision> decisions = data.decisions(3, 2);
    write(decisions);
    List<String> before = rows.dump();
    List<FraudDecision> rescored =
        decisions.stream()
            .map(d -> FraudDecision.newBuilder(d).setModelVersion("rules-test-2").build())
            .toList();

    write(rescored);

    assertNotEquals(before, rows.dump());
    assertEquals(sortedByTransaction(rescored), rows.decisions());
  }

  @Test
  void rowsWrittenWhilePostgresIsDownArriveExactlyOnceWhenItIsBack() throws Exception {
    List<FraudDecision> decisions = data.decisions(40, 20);
    Pipeline pipeline = DirectPipelines.createNonBlocking();
    DirectPipelines.streamSlowly(pipeline, decisions, FraudDecision.class)
        .apply(
            // A connection attempt gives up well within the outage, so the writer's waiting shows
            // in the retry counter however the outage lines up with its batches.
            UpsertToPostgres.decisions(connection().withConnectTimeout(Duration.ofMillis(500)))
                .withBatching(20, Duration.ofMillis(100))
                .withRetry(Outage.QUICK_RETRY));
    PipelineResult result = pipeline.run();
    try {
      new Outage("PostgreSQL", stack::stopPostgres, stack::startPostgres)
          .during(result, () -> rows.count() >= 100);
      DirectPipelines.await(
          result, "every row", Duration.ofSeconds(120), () -> rows.count() == decisions.size());

      assertEquals(sortedByTransaction(decisions), rows.decisions());
      // The retrying bundle's metrics are committed when it finishes, just after its last batch.
      DirectPipelines.await(
          result,
          "the writer's waits for a connection while PostgreSQL was down",
          Duration.ofSeconds(30),
          () -> DirectPipelines.counter(result, "postgres", "connect_retries") > 0);
      LOG.info(
          "Retries during the outage: {} connection, {} batch",
          DirectPipelines.counter(result, "postgres", "connect_retries"),
          DirectPipelines.counter(result, "postgres", "batch_retries"));
      assertEquals(0, DirectPipelines.counter(result, "postgres", "connect_failures"));
    } finally {
      stack.startPostgres();
      result.cancel();
    }
  }

  private PipelineResult write(List<FraudDecision> decisions) {
    Pipeline pipeline = DirectPipelines.create();
    pipeline
        .apply(Create.of(decisions).withCoder(AvroCoder.of(FraudDecision.class)))
        .apply(UpsertToPostgres.decisions(connection()).withBatching(100, Duration.ofMillis(100)));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    return result;
  }

  private PostgresConnection connection() {
    return PostgresConnection.of(stack.jdbcUrl(), stack.postgresUser());
  }

  private static List<FraudDecision> sortedByTransaction(List<FraudDecision> decisions) {
    return decisions.stream()
        .sorted(Comparator.comparing(FraudDecision::getTransactionId))
        .toList();
  }
}
