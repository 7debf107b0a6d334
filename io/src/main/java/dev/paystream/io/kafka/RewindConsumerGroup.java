package dev.paystream.io.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a consumer group's committed offsets on a topic back by a number of records per partition
 * (never before a partition's first record), before a job starts reading under the group.
 *
 * <p>Why: the DirectRunner commits a bundle's offsets once the bundle is read, before what it
 * holds has reached the exactly-once sinks. A process killed then has committed offsets ahead of
 * its output, and its successor would skip those records. Reading them again is safe when the
 * successor recognises what was output ({@link CommittedKeys}, {@link DropCommitted}).
 *
 * <p>It runs wherever the job is built, also when a Flink job is submitted to restore a checkpoint
 * or savepoint ({@code --savepointPath}), where it is needed by nothing and harmless: a restored
 * KafkaIO reader seeks each partition to the offset its checkpoint mark holds and consults the
 * group's committed offsets only for partitions without one, so the restored job reads exactly
 * what it would have read anyway. What it does change is the group's committed offsets, lowered by
 * up to {@code records} per partition until the restored job's first completed checkpoint commits
 * its own (a lag monitor sees that as a brief jump); should the restored job die before that and a
 * new job be started without a savepoint, it reads those records again and recognises them as
 * after any restart. Flink's own restarts within a job (restart strategy, lost TaskManager) do not
 * build the job again and never run this.
 */
public final class RewindConsumerGroup {
  private static final Logger LOG = LoggerFactory.getLogger(RewindConsumerGroup.class);

  private RewindConsumerGroup() {}

  /**
   * Rewinds {@code group} on {@code topic} by {@code records} per partition; partitions without a
   * committed offset are left alone (the job starts where its reset policy says).
   *
   * @return the records that will be read again, over all partitions
   */
  public static long by(KafkaConnection kafka, String group, String topic, long records) {
    if (records <= 0) {
      return 0;
    }
    try (Admin admin = Admin.create(kafka.clientConfig(Map.of()))) {
      Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
      admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().forEach((partition, offset) -> {
        if (partition.topic().equals(topic) && offset != null) {
          committed.put(partition, offset);
        }
      });
      if (committed.isEmpty()) {
        return 0;
      }
      Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
      committed.keySet().forEach(p -> earliest.put(p, OffsetSpec.earliest()));
      var first = admin.listOffsets(earliest).all().get();
      Map<TopicPartition, OffsetAndMetadata> rewound = new HashMap<>();
      long reread = 0;
      for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : committed.entrySet()) {
        long offset = Math.max(entry.getValue().offset() - records, first.get(entry.getKey()).offset());
        reread += entry.getValue().offset() - offset;
        rewound.put(entry.getKey(), new OffsetAndMetadata(offset));
      }
      admin.alterConsumerGroupOffsets(group, rewound).all().get();
      LOG.info("Consumer group {} rewound on {} by up to {} records a partition: {} records to read again",
          group, topic, records, reread);
      return reread;
    } catch (ExecutionException e) {
      throw new IllegalStateException("Cannot rewind consumer group " + group + " on " + topic, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while rewinding consumer group " + group, e);
    }
  }
}
