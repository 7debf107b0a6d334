package dev.paystream.pipelines;

import dev.paystream.io.kafka.WriteExactlyOnce;
import dev.paystream.schemas.DeadLetter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.joda.time.Duration;

/** The exactly-once Kafka sinks of a pipeline, configured by its {@link PaymentIngestOptions}. */
final class ExactlyOnceOutputs {
  private ExactlyOnceOutputs() {}

  /**
   * The consumer group under which the pipeline's sinks keep their progress (each sink adds a
   * suffix): {@code --sinkGroupId}, or a fresh one per run under the pipeline's consumer group.
   */
  static String sinkGroupId(PaymentIngestOptions options, String consumerGroup) {
    String configured = options.getSinkGroupId();
    return configured == null || configured.isBlank()
        ? consumerGroup + "-sink-" + System.currentTimeMillis()
        : configured;
  }

  /** Records keyed by {@code keyFn}, in {@code --sinkShards} shards, by the sink and batches the options say. */
  static <T extends SpecificRecord> WriteExactlyOnce<T> records(
      PaymentIngestOptions options, String topic, SerializableFunction<T, String> keyFn, String sinkGroupId) {
    return WriteExactlyOnce.to(KafkaConnections.from(options), topic, keyFn, sinkGroupId)
        .withShards(options.getSinkShards())
        .withBatching(options.getSinkBatchSize(), Duration.millis(options.getSinkBatchDelayMillis()))
        .using(options.getExactlyOnceSink());
  }

  /** Dead letters keyed by the coordinates of the record they stand for. */
  static WriteExactlyOnce<DeadLetter> deadLetters(PaymentIngestOptions options, String topic, String sinkGroupId) {
    return records(options, topic, ExactlyOnceOutputs::sourceCoordinates, sinkGroupId)
        // Dead letters are few, and a shard needs a partition of its own on the topic (the sink
        // keeps its progress there): one shard fits any dead-letter topic.
        .withShards(1);
  }

  /** The key of a dead letter: the source topic, partition and offset of the record it stands for. */
  static String sourceCoordinates(DeadLetter letter) {
    return letter.getSourceTopic() + "/" + letter.getSourcePartition() + "@" + letter.getSourceOffset();
  }
}
