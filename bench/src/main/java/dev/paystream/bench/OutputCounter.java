package dev.paystream.bench;

import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.wire.FraudDecisionWire;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Counts what a contender committed to its output topics, as a read_committed consumer sees it,
 * and when: the first and last visible record, and per decision its event-to-visible latency.
 */
final class OutputCounter implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String decisionsTopic;
  private final List<Long> latenciesMillis = new ArrayList<>();
  private final List<Long> eventTimesMillis = new ArrayList<>();
  private long count;
  private long firstVisibleNanos;
  private long firstVisibleMillis;
  private long lastVisibleNanos;

  /** @param decisionsTopic whose records are decoded for latency; null to only count */
  OutputCounter(String bootstrapServers, Collection<String> topics, String decisionsTopic) {
    this.decisionsTopic = decisionsTopic;
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-counter-" + UUID.randomUUID(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    consumer.subscribe(topics);
  }

  /**
   * Polls until {@code expected} records are visible, {@code timeout} passes or the producer of
   * the output stops running; returns the count.
   */
  long awaitCount(long expected, Duration timeout, BooleanSupplier producerRunning) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (count < expected && System.nanoTime() < deadline && producerRunning.getAsBoolean()) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
        long now = System.nanoTime();
        if (count++ == 0) {
          firstVisibleNanos = now;
          firstVisibleMillis = System.currentTimeMillis();
        }
        lastVisibleNanos = now;
        if (record.topic().equals(decisionsTopic)) {
          long eventTime = FraudDecisionWire.decode(record.value()).getEventTime();
          latenciesMillis.add(System.currentTimeMillis() - eventTime);
          eventTimesMillis.add(eventTime);
        }
      }
    }
    return count;
  }

  long firstVisibleNanos() {
    return firstVisibleNanos;
  }

  /** Wall-clock time of the first visible record. */
  long firstVisibleMillis() {
    return firstVisibleMillis;
  }

  long lastVisibleNanos() {
    return lastVisibleNanos;
  }

  List<Long> latenciesMillis() {
    return latenciesMillis;
  }

  /** Latencies of the decisions whose event time is at or after {@code eventTimeMillis}. */
  List<Long> latenciesMillisSince(long eventTimeMillis) {
    List<Long> since = new ArrayList<>();
    for (int i = 0; i < latenciesMillis.size(); i++) {
      if (eventTimesMillis.get(i) >= eventTimeMillis) {
        since.add(latenciesMillis.get(i));
      }
    }
    return since;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
