package dev.paystream.io.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.avro.message.MessageDecoder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads what a topic holds in committed transactions, from the beginning, the way a downstream
 * consumer would ({@code read_committed}, no consumer group). Used to check exactly-once output.
 */
public final class CommittedTopicReader implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

  public CommittedTopicReader(KafkaConnection kafka, String topic) {
    this.consumer =
        kafka.readCommittedConsumer();
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
            .map(PartitionInfo::partition)
            .map(p -> new TopicPartition(topic, p))
            .collect(Collectors.toList());
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /**
   * Polls until {@code done} holds for everything read so far, or {@code timeout} passes.
   *
   * @return every committed record read so far, in partition order
   */
  public List<ConsumerRecord<byte[], byte[]>> readUntil(
      Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.test(records) && System.nanoTime() < deadline) {
      consumer.poll(Duration.ofMillis(200)).forEach(records::add);
    }
    return List.copyOf(records);
  }

  /**
   * Reads everything the topic committed by now: until each partition's position reaches the end
   * offset it has when this is called (for this {@code read_committed} consumer, the last stable
   * offset). For output whose writer has finished; a fixed drain time returns part of a large topic.
   *
   * @return every committed record read so far, in partition order
   * @throws IllegalStateException if the end is not reached within {@code timeout}
   */
  public List<ConsumerRecord<byte[], byte[]>> readToEnd(Duration timeout) {
    Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
    long deadline = System.nanoTime() + timeout.toNanos();
    while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Not at the end offsets " + end + " after " + timeout + ": " + records.size() + " read");
      }
      consumer.poll(Duration.ofMillis(200)).forEach(records::add);
    }
    return List.copyOf(records);
  }

  /** Reads whatever else arrives within {@code quiet}: to show nothing more than expected shows up. */
  public List<ConsumerRecord<byte[], byte[]>> drain(Duration quiet) {
    return readUntil(r -> false, quiet);
  }

  @Override
  public void close() {
    consumer.close();
  }

  /**
   * The values of {@code records}, decoded: our sinks write Avro single-object encoded values, so
   * pass e.g. {@code FraudDecision.getDecoder()}. A value that does not decode is a bug in what
   * wrote it, and fails.
   */
  public static <T> List<T> values(List<ConsumerRecord<byte[], byte[]>> records, MessageDecoder<T> decoder) {
    List<T> values = new ArrayList<>(records.size());
    for (ConsumerRecord<byte[], byte[]> record : records) {
      try {
        values.add(decoder.decode(record.value()));
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Undecodable value at " + record.topic() + "/" + record.partition() + "@" + record.offset(), e);
      }
    }
    return values;
  }
}
