package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.kafka.OffsetRanges;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.schemas.FraudDecision;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.beam.runners.direct.DirectOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fraud pipeline does not depend on what producers put in the record timestamp, and a streaming
 * job takes over where a backfill ended: every payment decided once.
 */
@ExtendWith(LocalStackExtension.class)
class FraudEventTimeIT {
  private static final int RECORDS = 1_000;

  /**
   * The same records, once stamped with their payment times and once with their send times: the
   * same duplicates dropped, the same features and decisions.
   */
  @Test
  void decisionsAreTheSameWhateverTheRecordTimestamps(LocalStack stack) throws Exception {
    // A week of history in payment-time order, sent today: with send-time watermarks, dedup's state
    // (kept for an event-time horizon) would expire as soon as it is written.
    KnownInput input =
        KnownInput.week(RECORDS, System.currentTimeMillis() - Duration.ofHours(1).toMillis(), 7, 0.05, false);
    FraudRun.Output paymentStamped = run(stack, input, "paytime" + System.nanoTime(), false);
    FraudRun.Output sendStamped = run(stack, input, "sendtime" + System.nanoTime(), true);

    assertEquals(byTransaction(paymentStamped), byTransaction(sendStamped));
  }

  /**
   * A backfill of the first half in batch mode commits its end offsets to the group; the streaming
   * job of that group then decides the rest: together, every record exactly once. (The split keeps
   * re-sends after their originals: the streaming job's dedup state does not hold the backfill's ids.)
   */
  @Test
  void aStreamingJobTakesOverWhereTheBackfillEnded(LocalStack stack) throws Exception {
    String run = "takeover" + System.nanoTime();
    FraudDetectionOptions options = FraudDetectionPipelineIT.options(stack, run);
    createTopics(stack, options);
    KafkaConnection kafka = KafkaConnections.from(options);
    KnownInput input = KnownInput.generate(RECORDS);
    int half = input.splitKeepingResendsWithTheirOriginals(RECORDS / 2);
    input.produceWithSendTime(kafka, options.getPaymentsTopic(), 0, half);

    options.setBackfill(true);
    options.as(DirectOptions.class).setBlockOnRun(true);
    org.apache.beam.sdk.Pipeline backfill = org.apache.beam.sdk.Pipeline.create(options);
    FraudDetectionPipeline.build(backfill, options).run(backfill);
    assertEquals(half, OffsetRanges.committed(kafka, options.getConsumerGroup(), options.getPaymentsTopic()).values().stream().mapToLong(Long::longValue).sum());

    input.produceWithSendTime(kafka, options.getPaymentsTopic(), half, RECORDS);
    options.setBackfill(false);
    options.as(DirectOptions.class).setBlockOnRun(false);
    FraudRun.Output output =
        FraudRun.runUntil(
            options, input.validIds.size(), input.malformedReasons.size(), Duration.ofMinutes(3), Duration.ofSeconds(5));
    input.assertExactlyOnce(output.decisions(), output.deadLetters(), options.getPaymentsTopic());
  }

  private static FraudRun.Output run(LocalStack stack, KnownInput input, String run, boolean sendTime) throws Exception {
    FraudDetectionOptions options = FraudDetectionPipelineIT.options(stack, run);
    createTopics(stack, options);
    KafkaConnection kafka = KafkaConnections.from(options);
    if (sendTime) {
      input.produceWithSendTime(kafka, options.getPaymentsTopic(), 0, RECORDS);
    } else {
      input.produce(kafka, options.getPaymentsTopic(), 0, RECORDS);
    }
    FraudRun.Output output =
        FraudRun.runUntil(
            options, input.validIds.size(), input.malformedReasons.size(), Duration.ofMinutes(3), Duration.ofSeconds(5));
    input.assertExactlyOnce(output.decisions(), output.deadLetters(), options.getPaymentsTopic());
    return output;
  }

  private static void createTopics(LocalStack stack, FraudDetectionOptions options) throws Exception {
    stack.createTopics(
        Map.of(options.getPaymentsTopic(), 4, options.getDecisionsTopic(), 4, options.getDeadLetterTopic(), 1));
  }

  private static Map<String, FraudDecision> byTransaction(FraudRun.Output output) {
    return output.decisions().stream().collect(Collectors.toMap(FraudDecision::getTransactionId, Function.identity()));
  }
}
