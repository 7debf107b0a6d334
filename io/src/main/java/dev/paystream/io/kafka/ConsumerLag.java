package dev.paystream.io.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Instant;

/**
 * How far a consumer group is behind on a topic, per partition: in records (committed offset to
 * log end) and in seconds of event time (the newest record's payment time less that of the next
 * record the group will read). What an operator asks first in an incident, and what the lag
 * gauges export.
 *
 * <p>Reads with {@code read_committed}: the log end is the last stable offset, so an open
 * transaction of a producer counts as no lag yet. A group that never committed on a partition
 * starts there from the beginning (the pipelines' {@code earliest}). Keeps its two consumers open
 * between readings (a gauge reads every few seconds); close it when done.
 */
public final class ConsumerLag implements AutoCloseable {

  /** One partition's lag; {@code seconds} is empty when an event time is unknown (unparseable records). */
  public record PartitionLag(
      String group, String topic, int partition, long committed, long end, Optional<Double> seconds) {
    public long records() {
      return Math.max(0, end - committed);
    }
  }

  private static final Duration POLL = Duration.ofSeconds(5);

  private final KafkaConnection kafka;
  private final PayloadEventTime eventTime;
  private KafkaConsumer<byte[], byte[]> reader;
  private KafkaConsumer<byte[], byte[]> member;
  private String memberGroup;

  private ConsumerLag(KafkaConnection kafka, PayloadEventTime eventTime) {
    this.kafka = kafka;
    this.eventTime = eventTime;
  }

  /** Lag on {@code kafka}, event times read from payloads by {@code eventTime}. */
  public static ConsumerLag on(KafkaConnection kafka, PayloadEventTime eventTime) {
    return new ConsumerLag(kafka, eventTime);
  }

  /** The lag of {@code group} on every partition of {@code topic}, in partition order. */
  public synchronized List<PartitionLag> of(String group, String topic) {
    if (reader == null) {
      // Small fetches: a reading needs a few records at two offsets per partition, not the
      // megabytes a default fetch brings (the lag gauges read every few seconds inside the job).
      reader =
          new KafkaConsumer<>(
              kafka.clientConfig(
                  Map.of(
                      "isolation.level", "read_committed",
                      "enable.auto.commit", false,
                      "max.poll.records", NEAR + 1,
                      "max.partition.fetch.bytes", 64 * 1024,
                      "fetch.max.bytes", 256 * 1024)),
              new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
              new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    }
    KafkaConsumer<byte[], byte[]> consumer = reader;
    {
      Set<TopicPartition> partitions =
          consumer.partitionsFor(topic, POLL).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .collect(Collectors.toSet());
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, POLL);
      Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions, POLL);
      Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets(group, partitions);
      List<PartitionLag> lags = new ArrayList<>();
      for (TopicPartition partition : partitions) {
        OffsetAndMetadata offset = committed.get(partition);
        long end = ends.get(partition);
        long position = Math.max(starts.get(partition), offset == null ? 0 : offset.offset());
        Optional<Double> seconds =
            position >= end ? Optional.of(0.0) : secondsBetween(consumer, partition, position, end - 1);
        lags.add(new PartitionLag(group, topic, partition.partition(), position, end, seconds));
      }
      lags.sort(Comparator.comparingInt(PartitionLag::partition));
      return lags;
    }
  }

  private Map<TopicPartition, OffsetAndMetadata> committedOffsets(String group, Set<TopicPartition> partitions) {
    if (member == null || !group.equals(memberGroup)) {
      closeMember();
      // A consumer of the group that never subscribes: it only reads the group's committed offsets.
      member =
          new KafkaConsumer<>(
              kafka.clientConfig(Map.of("group.id", group, "enable.auto.commit", false)),
              new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
              new org.apache.kafka.common.serialization.ByteArrayDeserializer());
      memberGroup = group;
    }
    return member.committed(partitions, POLL);
  }

  private void closeMember() {
    if (member != null) {
      member.close(Duration.ofSeconds(1));
      member = null;
    }
  }

  @Override
  public synchronized void close() {
    closeMember();
    if (reader != null) {
      reader.close(Duration.ofSeconds(1));
      reader = null;
    }
  }

  /** The newest record's event time less that of the first record from {@code first} that has one. */
  private Optional<Double> secondsBetween(
      KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long first, long last) {
    Optional<Instant> oldest = eventTime(consumer, partition, first, first + NEAR, true);
    // The last offsets may be transaction markers or malformed records: take the newest of a few.
    Optional<Instant> newest = eventTime(consumer, partition, Math.max(first, last - NEAR), last, false);
    if (oldest.isEmpty() || newest.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Math.max(0, newest.get().getMillis() - oldest.get().getMillis()) / 1000.0);
  }

  private static final int NEAR = 20;

  /** The first (or last) event time among the records in offsets {@code [from, to]}, read within the poll time. */
  private Optional<Instant> eventTime(
      KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long from, long to, boolean first) {
    consumer.assign(Set.of(partition));
    consumer.seek(partition, from);
    Optional<Instant> found = Optional.empty();
    long deadline = System.nanoTime() + POLL.toNanos();
    while (System.nanoTime() < deadline && consumer.position(partition) <= to) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)).records(partition)) {
        Instant time = record.offset() <= to ? eventTime.of(record.value()) : null;
        if (time != null) {
          found = Optional.of(time);
          if (first) {
            return found;
          }
        }
      }
    }
    return found;
  }
}
