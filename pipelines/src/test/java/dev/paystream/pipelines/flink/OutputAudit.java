package dev.paystream.pipelines.flink;

import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.FraudDecision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * What the pipeline committed, read as a downstream consumer would ({@code read_committed}, from
 * the beginning, no group), held against what was sent: how often each transaction id was decided
 * and each input record (by partition and offset) dead-lettered.
 */
final class OutputAudit implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String decisionsTopic;
  private final List<GeneratedRecord> records;
  private final PacedProducer sent;
  private final Map<String, Integer> decided = new HashMap<>();
  private final Map<String, Long> newestEventTime = new HashMap<>();
  private final Map<String, Integer> deadLettered = new HashMap<>();
  // where each decision was read: evidence for a duplicate (output partition@offset, when read)
  private final Map<String, String> decisionsAt = new HashMap<>();
  private long decisions;
  private long deadLetters;
  private int covered;

  OutputAudit(KafkaConnection kafka, String decisionsTopic, String deadLetterTopic, List<GeneratedRecord> records,
      PacedProducer sent) {
    this.decisionsTopic = decisionsTopic;
    this.records = records;
    this.sent = sent;
    this.consumer =
        kafka.readCommittedConsumer();
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(decisionsTopic, deadLetterTopic)) {
      consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /** Reads what was committed since the last call. */
  void poll() {
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
      try {
        if (record.topic().equals(decisionsTopic)) {
          FraudDecision decision = FraudDecision.getDecoder().decode(record.value());
          decided.merge(decision.getTransactionId(), 1, Integer::sum);
          decisionsAt.merge(decision.getTransactionId(),
              record.partition() + "@" + record.offset() + " read " + java.time.Instant.now()
                  + " (history " + decision.getFeatures().getHistoryCount() + ", score " + decision.getScore() + ")",
              (a, b) -> a + ", " + b);
          newestEventTime.merge(decision.getCustomerId(), decision.getEventTime(), Math::max);
          decisions++;
        } else {
          DeadLetter letter = DeadLetter.getDecoder().decode(record.value());
          deadLettered.merge(source(letter.getSourcePartition(), letter.getSourceOffset()), 1, Integer::sum);
          deadLetters++;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("undecodable output at " + record.topic() + "@" + record.offset(), e);
      }
    }
  }

  /** How many of the first sent records have their outcome committed (a duplicate needs none). */
  int covered() {
    while (covered < sent.sent() && outcomes(covered) > 0) {
      covered++;
    }
    return covered;
  }

  /** How often the outcome of record {@code index} was committed: 1 is right, a dropped duplicate counts 1. */
  int outcomes(int index) {
    GeneratedRecord record = records.get(index);
    if (record.kind() == Kind.DUPLICATE) {
      return 1;
    }
    if (record.kind() == Kind.VALID) {
      return decided.getOrDefault(record.transactionId(), 0);
    }
    return sent.offset(index) < 0 ? 0 : deadLetters(sent.partition(index), sent.offset(index));
  }

  /** Where the decisions of {@code transactionId} sit in the output, and when the audit read them. */
  String decisionsOf(String transactionId) {
    return decisionsAt.getOrDefault(transactionId, "none");
  }

  /** Dead letters committed for the input record at {@code partition}/{@code offset}. */
  int deadLetters(int partition, long offset) {
    return deadLettered.getOrDefault(source(partition, offset), 0);
  }

  long decisions() {
    return decisions;
  }

  long deadLetters() {
    return deadLetters;
  }

  /** Distinct transaction ids decided. */
  int decidedIds() {
    return decided.size();
  }

  /** Each customer's newest decided event time: what the feature store must hold. */
  Map<String, Long> newestEventTimes() {
    return newestEventTime;
  }

  private static String source(int partition, long offset) {
    return partition + "@" + offset;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
