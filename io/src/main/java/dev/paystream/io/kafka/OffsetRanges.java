package dev.paystream.io.kafka;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * A bounded part of a topic: per partition, the offsets {@code [start, end)}, fixed when the ranges
 * are planned. What a backfill reads ({@link ReadOffsetRanges}), and where a streaming job under the
 * same consumer group takes over ({@link #commitEnds}).
 */
public final class OffsetRanges implements Serializable {
  /** Where planned ranges start. */
  public enum Start {
    /** The oldest offset each partition still holds: the whole retained history. */
    BEGINNING,
    /** The consumer group's committed offset, or the beginning where it has none. */
    COMMITTED
  }

  /** Offsets {@code [start, end)} of one partition. */
  public record Range(int partition, long start, long end) implements Serializable {
    public Range {
      if (start < 0 || end < start) {
        throw new IllegalArgumentException("bad offset range [" + start + ", " + end + ") of partition " + partition);
      }
    }
  }

  private static final Comparator<TopicPartition> BY_PARTITION = Comparator.comparingInt(TopicPartition::partition);

  private final String topic;
  private final List<Range> ranges;

  private OffsetRanges(String topic, List<Range> ranges) {
    this.topic = topic;
    this.ranges = List.copyOf(ranges);
  }

  public static OffsetRanges of(String topic, List<Range> ranges) {
    return new OffsetRanges(topic, ranges);
  }

  /**
   * Every partition of {@code topic} from {@code start} up to its end now, as a read_committed
   * consumer sees it (the last stable offset: transactions still open are left to the next run).
   */
  public static OffsetRanges upToEnd(KafkaConnection kafka, String topic, String consumerGroup, Start start) {
    try (Consumer<byte[], byte[]> consumer = consumer(kafka)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic)) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      if (partitions.isEmpty()) {
        throw new IllegalArgumentException("topic " + topic + " has no partitions");
      }
      Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      Map<TopicPartition, Long> committed = start == Start.COMMITTED ? committed(kafka, consumerGroup, topic) : Map.of();
      List<Range> ranges = new ArrayList<>();
      for (TopicPartition partition : partitions) {
        long end = ends.get(partition);
        long from = Math.max(beginnings.get(partition), committed.getOrDefault(partition, 0L));
        ranges.add(new Range(partition.partition(), Math.min(from, end), end));
      }
      ranges.sort(Comparator.comparingInt(Range::partition));
      return new OffsetRanges(topic, ranges);
    }
  }

  public String topic() {
    return topic;
  }

  public List<Range> ranges() {
    return ranges;
  }

  /** Offsets covered: the records read plus any transaction markers among them. */
  public long offsets() {
    return ranges.stream().mapToLong(r -> r.end() - r.start()).sum();
  }

  /** The ranges cut into pieces of at most {@code maxOffsets}, so that several workers share a partition. */
  public List<Range> pieces(long maxOffsets) {
    List<Range> pieces = new ArrayList<>();
    for (Range range : ranges) {
      for (long from = range.start(); from < range.end(); from += maxOffsets) {
        pieces.add(new Range(range.partition(), from, Math.min(range.end(), from + maxOffsets)));
      }
    }
    return pieces;
  }

  /**
   * Commits each range's end as {@code consumerGroup}'s offset, so that a streaming job under that
   * group starts right after what was read: every record once. A partition whose committed offset
   * is already further is left alone (moving it back would make the streaming job read records
   * again). Kafka refuses while the group has active members: commit before the streaming job starts.
   *
   * @return the offsets committed
   */
  public Map<TopicPartition, Long> commitEnds(KafkaConnection kafka, String consumerGroup) {
    Map<TopicPartition, Long> current = committed(kafka, consumerGroup, topic);
    Map<TopicPartition, OffsetAndMetadata> commit = new TreeMap<>(BY_PARTITION);
    for (Range range : ranges) {
      TopicPartition partition = new TopicPartition(topic, range.partition());
      if (range.end() > current.getOrDefault(partition, -1L)) {
        commit.put(partition, new OffsetAndMetadata(range.end()));
      }
    }
    try (Admin admin = Admin.create(kafka.clientConfig(Map.of()))) {
      admin.alterConsumerGroupOffsets(consumerGroup, commit).all().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("could not commit the backfill's end offsets for group " + consumerGroup, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while committing offsets", e);
    }
    Map<TopicPartition, Long> committed = new TreeMap<>(BY_PARTITION);
    commit.forEach((partition, offset) -> committed.put(partition, offset.offset()));
    return committed;
  }

  /** {@code consumerGroup}'s committed offsets on {@code topic}; partitions without one are absent. */
  public static Map<TopicPartition, Long> committed(KafkaConnection kafka, String consumerGroup, String topic) {
    try (Admin admin = Admin.create(kafka.clientConfig(Map.of()))) {
      Map<TopicPartition, Long> offsets = new TreeMap<>(BY_PARTITION);
      admin.listConsumerGroupOffsets(consumerGroup).partitionsToOffsetAndMetadata().get()
          .forEach(
              (partition, offset) -> {
                if (offset != null && partition.topic().equals(topic)) {
                  offsets.put(partition, offset.offset());
                }
              });
      return offsets;
    } catch (ExecutionException e) {
      throw new IllegalStateException("could not read the offsets of group " + consumerGroup, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading offsets", e);
    }
  }

  /** A read_committed consumer without a group: it reads and commits nothing by itself. */
  static Consumer<byte[], byte[]> consumer(KafkaConnection kafka) {
    return kafka.readCommittedConsumer();
  }

  @Override
  public String toString() {
    return topic + " " + ranges;
  }
}
