package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.pipelines.generator.GeneratePayments;
import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.pipelines.generator.GeneratorStats;
import dev.paystream.pipelines.generator.PaymentGenerator;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.transforms.dedup.DeduplicatePayments;
import dev.paystream.transforms.validate.PaymentFormat;
import dev.paystream.transforms.validate.ValidatePayments;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The backbone, end to end on the real broker: generated payments with known duplicates and
 * malformed records go through the pipeline on the DirectRunner, and the committed output is read
 * back with a read_committed consumer.
 */
@ExtendWith(LocalStackExtension.class)
class FraudDetectionPipelineIT {
  private static final int RECORDS = 3_000;

  @Test
  void everyRecordEndsUpAsExactlyOneDecisionDeadLetterOrDroppedDuplicate(LocalStack stack) throws Exception {
    String run = "it" + System.nanoTime();
    FraudDetectionOptions options = options(stack, run);
    stack.createTopics(
        Map.of(options.getPaymentsTopic(), 4, options.getDecisionsTopic(), 4, options.getDeadLetterTopic(), 1));

    List<GeneratedRecord> input = new ArrayList<>();
    PaymentGenerator.builder()
        .seed(42)
        .customers(150)
        .format(PaymentFormat.AVRO)
        .duplicateFraction(0.05)
        .malformedFraction(0.04)
        .fraudFraction(0.02)
        .backfill(RECORDS, System.currentTimeMillis())
        .build()
        .forEachRemaining(input::add);
    KafkaConnection kafka = KafkaConnections.from(options);
    GeneratorStats sent = GeneratePayments.produce(kafka, options.getPaymentsTopic(), input);
    assertEquals(RECORDS, sent.total());

    Set<String> validIds = ids(input, Kind.VALID);
    Map<ByteBuffer, String> malformedReasons = new HashMap<>();
    input.stream()
        .filter(r -> r.kind() == Kind.MALFORMED)
        .forEach(r -> malformedReasons.put(ByteBuffer.wrap(r.value()), r.expectedReason().name()));
    long duplicates = sent.count(Kind.DUPLICATE);
    assertTrue(duplicates > 0 && !malformedReasons.isEmpty(), "the input must exercise every path");

    FraudRun.Output output =
        FraudRun.runUntil(options, validIds.size(), malformedReasons.size(), Duration.ofMinutes(4), Duration.ofSeconds(5));

    // Every valid, distinct payment has exactly one decision, and nothing else has one.
    List<String> decided = output.decisions().stream().map(FraudDecision::getTransactionId).collect(Collectors.toList());
    Map<String, Long> repeated = decided.stream().collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    repeated.values().removeIf(n -> n == 1);
    assertEquals(Map.of(), repeated, "transactions decided more than once");
    assertEquals(validIds.size(), decided.size(), "decisions committed");
    assertEquals(validIds, new HashSet<>(decided), "one decision per valid payment");

    // Every malformed record is dead-lettered once, with its own bytes and the expected reason.
    Map<ByteBuffer, String> deadLettered = new HashMap<>();
    for (DeadLetter letter : output.deadLetters()) {
      deadLettered.merge(letter.getPayload(), letter.getErrorCode(), (a, b) -> a + "," + b);
      assertEquals(options.getPaymentsTopic(), letter.getSourceTopic());
    }
    assertEquals(malformedReasons.size(), output.deadLetters().size(), "dead letters committed");
    assertEquals(malformedReasons, deadLettered);

    // The accounting equation, from what was committed, and from the pipeline's own counters.
    assertEquals(RECORDS, decided.size() + output.deadLetters().size() + duplicates);
    assertEquals(duplicates, output.counter(DeduplicatePayments.METRICS_NAMESPACE, "duplicates"), "duplicates dropped");
    assertEquals(validIds.size() + duplicates, output.counter(ValidatePayments.METRICS_NAMESPACE, "valid"));
    assertEquals(
        new TreeMap<>(sent.byReason().entrySet().stream()
            .collect(Collectors.toMap(e -> e.getKey().name(), Map.Entry::getValue))),
        new TreeMap<>(output.deadLetters().stream()
            .collect(Collectors.groupingBy(DeadLetter::getErrorCode, Collectors.counting()))));
  }

  private static Set<String> ids(List<GeneratedRecord> records, Kind kind) {
    return records.stream().filter(r -> r.kind() == kind).map(GeneratedRecord::transactionId).collect(Collectors.toSet());
  }

  static FraudDetectionOptions options(LocalStack stack, String run) {
    FraudDetectionOptions options = PipelineOptionsFactory.create().as(FraudDetectionOptions.class);
    options.setRunner(DirectRunner.class);
    options.as(DirectOptions.class).setBlockOnRun(false);
    options.setBootstrapServers(stack.kafkaBootstrapServers());
    options.setPaymentsTopic("payments-" + run);
    options.setDecisionsTopic("fraud-decisions-" + run);
    options.setDeadLetterTopic("payments.dlq-" + run);
    options.setConsumerGroup("fraud-" + run);
    return options;
  }
}
