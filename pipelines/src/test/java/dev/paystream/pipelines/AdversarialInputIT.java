package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.pipelines.AdversarialCorpus.Case;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.transforms.dedup.DeduplicatePayments;
import dev.paystream.transforms.validate.ValidatePayments;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The adversarial corpus through the real fraud pipeline (DirectRunner, real broker), followed by
 * ordinary generated traffic: every corpus record ends up as its expected decision, duplicate or
 * dead letter (the ~1 MiB one included: its dead letter used to be larger than the producer
 * accepts, and the sink stopped for good), the payments produced after the poison are all decided,
 * and records in = decisions + dead letters + duplicates.
 */
@ExtendWith(LocalStackExtension.class)
class AdversarialInputIT {
  private static final int GENERATED = 150;
  private static final int TWO_MIB = 2 << 20;

  @Test
  void noInputRecordStopsThePipelineAndEachHasItsExpectedOutcome(LocalStack stack) throws Exception {
    String run = "adv" + System.nanoTime();
    FraudDetectionOptions options = FraudDetectionPipelineIT.options(stack, run);
    // the broker must accept the ~1 MiB record for the pipeline to see it
    stack.createTopics(Map.of(options.getPaymentsTopic(), 2), Map.of("max.message.bytes", Integer.toString(TWO_MIB)));
    stack.createTopics(Map.of(options.getDecisionsTopic(), 4, options.getDeadLetterTopic(), 1));

    List<Case> corpus = AdversarialCorpus.load(System.currentTimeMillis());
    Map<String, Case> byCoordinates = produce(options, corpus);
    KnownInput after = KnownInput.generate(GENERATED);
    after.produce(KafkaConnections.from(options), options.getPaymentsTopic(), 0, GENERATED);

    long corpusDecided = AdversarialCorpus.count(corpus, AdversarialCorpus.DECIDED);
    List<Case> corpusLetters = AdversarialCorpus.deadLettered(corpus);
    FraudRun.Output output =
        FraudRun.runUntil(
            options,
            corpusDecided + after.validIds.size(),
            corpusLetters.size() + after.malformedReasons.size(),
            Duration.ofMinutes(3),
            Duration.ofSeconds(5));

    // Each corpus record: its dead letter with the expected reason, or its one decision.
    Map<String, String> expectedReasons = new TreeMap<>();
    corpusLetters.forEach(c -> expectedReasons.put(c.name(), c.expected()));
    Map<String, String> actualReasons = new TreeMap<>();
    List<DeadLetter> otherLetters = new ArrayList<>();
    for (DeadLetter letter : output.deadLetters()) {
      Case source = byCoordinates.get(letter.getSourcePartition() + "@" + letter.getSourceOffset());
      if (source == null) {
        otherLetters.add(letter);
      } else {
        actualReasons.merge(source.name(), letter.getErrorCode(), (a, b) -> a + "," + b);
        assertFitsAndTraces(letter, source);
      }
    }
    assertEquals(expectedReasons, actualReasons, "corpus dead letters");

    Map<String, Long> corpusDecisions =
        output.decisions().stream()
            .map(FraudDecision::getTransactionId)
            .filter(id -> id.startsWith("adv-"))
            .collect(Collectors.groupingBy(id -> id, TreeMap::new, Collectors.counting()));
    Map<String, Long> expectedDecisions =
        corpus.stream()
            .filter(c -> c.expected().equals(AdversarialCorpus.DECIDED))
            .collect(Collectors.toMap(Case::transactionId, c -> 1L, Long::sum, TreeMap::new));
    assertEquals(expectedDecisions, corpusDecisions, "one decision per valid corpus record, none for its resend");

    // The traffic after the poison records is decided as if nothing had happened.
    List<FraudDecision> otherDecisions =
        output.decisions().stream().filter(d -> !d.getTransactionId().startsWith("adv-")).collect(Collectors.toList());
    after.assertExactlyOnce(otherDecisions, otherLetters, options.getPaymentsTopic());

    // Accounting over everything: records in = decisions + dead letters + duplicates.
    long duplicates = output.counter(DeduplicatePayments.METRICS_NAMESPACE, "duplicates");
    assertEquals(AdversarialCorpus.count(corpus, AdversarialCorpus.DUPLICATE) + after.duplicates(), duplicates);
    assertEquals(corpus.size() + after.total(), output.decisions().size() + output.deadLetters().size() + duplicates);
    assertEquals(0, output.counter("kafka_sink", "oversized_records"), "nothing reached the sinks' size guard");
    assertEquals(1, output.counter(ValidatePayments.METRICS_NAMESPACE, "truncated_payloads"));
  }

  /** The dead letter fits its topic and still says which record it stands for. */
  static void assertFitsAndTraces(DeadLetter letter, Case source) {
    if (source.value() == null) {
      assertEquals(null, letter.getPayload(), "a tombstone's dead letter has no payload");
      return;
    }
    assertEquals(source.value().length, letter.getPayloadSize().intValue(), source.name());
    int kept = Math.min(source.value().length, ValidatePayments.DEFAULT_MAX_PAYLOAD_BYTES);
    assertEquals(java.nio.ByteBuffer.wrap(source.value(), 0, kept), letter.getPayload(), source.name());
    assertTrue(letter.getMessage().length() <= 1_000, source.name());
  }

  /** Sends the corpus in order and returns each case by the partition@offset it landed at. */
  static Map<String, Case> produce(PaymentIngestOptions options, List<Case> corpus) throws Exception {
    Map<String, Case> byCoordinates = new HashMap<>();
    Map<String, Object> config =
        KafkaConnections.from(options)
            .clientConfig(Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_REQUEST_SIZE_CONFIG, TWO_MIB));
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (Case c : corpus) {
        RecordMetadata sent =
            producer.send(new ProducerRecord<>(options.getPaymentsTopic(), null, c.name().getBytes(), c.value())).get();
        byCoordinates.put(sent.partition() + "@" + sent.offset(), c);
      }
    }
    return byCoordinates;
  }
}
