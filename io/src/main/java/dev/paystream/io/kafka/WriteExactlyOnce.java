package dev.paystream.io.kafka;

import dev.paystream.schemas.wire.SingleObject;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.joda.time.Duration;

/**
 * Writes Avro records to a Kafka topic exactly once, in Kafka transactions, as single-object
 * encoded values keyed by {@code keyFn}. Readers must use {@code read_committed}.
 *
 * <p>Each transaction costs a few broker round trips (about 16 ms measured on the local stack), so
 * what matters is how many records share one. Two sinks ({@link ExactlyOnceSink}):
 *
 * <ul>
 *   <li>{@code BATCHED}, the default: {@link BatchedTransactions}, batches of up to {@code
 *       batchSize} records (or whatever arrived within {@code maxBatchDelay}) per shard, and one
 *       transaction per shard for the batches that reach the writer together: on Flink, one per
 *       completed checkpoint; on the DirectRunner, one per bundle of the writer. A restart of the
 *       same job without state resumes from the progress its predecessor left in Kafka.
 *   <li>{@code KAFKA_IO}: Beam's {@code KafkaIO.write().withEOS}. It commits one
 *       transaction per pane of its internal GroupByKey, so records are first gathered into batches
 *       of up to {@code batchSize} (or whatever arrived within {@code maxBatchDelay}) per shard: on
 *       the DirectRunner, where a pane is a bundle, this cut transactions 20-fold. On Flink a pane
 *       is one record whatever comes before it: one transaction per record. It cannot restart
 *       without its state ("Kafka metadata exists for shard"): a DirectRunner process after a
 *       crash needs a new sink group, and then writes again what its predecessor wrote.
 * </ul>
 *
 * <p>A record larger than the producer's {@code max.request.size} would fail every transaction it
 * is in; it is counted and logged instead ({@link KafkaRecordSize}), so that the sink goes on.
 *
 * <p>The sink keeps its per-shard progress under the consumer group {@code sinkGroupId}: a job
 * restored from a checkpoint or savepoint or restarted by the same command must keep it; a
 * brand-new job needs a fresh one.
 */
public class WriteExactlyOnce<T extends SpecificRecord> extends PTransform<PCollection<T>, PDone> {
  private final KafkaConnection kafka;
  private final String topic;
  private final SerializableFunction<T, String> keyFn;
  private final int shards;
  private final String sinkGroupId;
  private final int batchSize;
  private final Duration maxBatchDelay;
  private final ExactlyOnceSink sink;

  private WriteExactlyOnce(
      KafkaConnection kafka,
      String topic,
      SerializableFunction<T, String> keyFn,
      int shards,
      String sinkGroupId,
      int batchSize,
      Duration maxBatchDelay,
      ExactlyOnceSink sink) {
    this.kafka = kafka;
    this.topic = topic;
    this.keyFn = keyFn;
    this.shards = shards;
    this.sinkGroupId = sinkGroupId;
    this.batchSize = batchSize;
    this.maxBatchDelay = maxBatchDelay;
    this.sink = sink;
  }

  /** Our batched sink with one shard, batches of up to 500 records or 200 ms. */
  public static <T extends SpecificRecord> WriteExactlyOnce<T> to(
      KafkaConnection kafka, String topic, SerializableFunction<T, String> keyFn, String sinkGroupId) {
    return new WriteExactlyOnce<>(kafka, topic, keyFn, 1, sinkGroupId, 500, Duration.millis(200), ExactlyOnceSink.BATCHED);
  }

  /** Parallel transactional producers; each shard is one producer with its own transactions. */
  public WriteExactlyOnce<T> withShards(int shards) {
    return new WriteExactlyOnce<>(kafka, topic, keyFn, shards, sinkGroupId, batchSize, maxBatchDelay, sink);
  }

  /** Records per transaction to aim for, and how long to wait for them; a size of 1 disables batching. */
  public WriteExactlyOnce<T> withBatching(int batchSize, Duration maxBatchDelay) {
    return new WriteExactlyOnce<>(kafka, topic, keyFn, shards, sinkGroupId, batchSize, maxBatchDelay, sink);
  }

  /** Which sink writes the transactions. */
  public WriteExactlyOnce<T> using(ExactlyOnceSink sink) {
    return new WriteExactlyOnce<>(kafka, topic, keyFn, shards, sinkGroupId, batchSize, maxBatchDelay, sink);
  }

  /**
   * When a process stops (SIGTERM): closes the transactional producers of this JVM's {@code
   * BATCHED} sinks, aborting their open transactions. A runner that cancels its job on the way out
   * (the DirectRunner) closes them itself; Flink embedded in the process does not, and a
   * transaction left open holds back every {@code read_committed} reader of the topic until the
   * broker times it out.
   */
  public static void closeProducers(java.time.Duration timeout) {
    ShardProducer.closeAll(timeout);
  }

  /**
   * What the transactional ids of the {@code BATCHED} sinks under {@code sinkGroupId} start with
   * (the sink adds the topic and shard): the prefix to grant WRITE and DESCRIBE on.
   */
  public static String transactionalIdPrefix(String sinkGroupId) {
    return ShardProducer.TRANSACTIONAL_ID_PREFIX + sinkGroupId;
  }

  /**
   * Before a process without state starts ({@code BATCHED} only): fences the producers an earlier
   * process of this sink left behind and aborts their open transactions, so that what the topic
   * committed can be read in full at once ({@link CommittedKeys}); without it, another shard's
   * commits behind a dead shard's open transaction stay invisible until that transaction times
   * out.
   */
  public void fencePredecessors() {
    if (sink == ExactlyOnceSink.BATCHED) {
      for (int shard = 0; shard < shards; shard++) {
        ShardProducer.fence(kafka, topic, sinkGroupId, shard);
      }
    }
  }

  @Override
  public PDone expand(PCollection<T> records) {
    SerializableFunction<T, String> key = keyFn;
    PCollection<KV<String, byte[]>> encoded =
        records
            .apply(
                "Encode",
                MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(byte[].class)))
                    .via((T record) -> KV.of(key.apply(record), SingleObject.encode(record))))
            .setCoder(ShardedBatches.RECORD)
            .apply("DropOversized", ParDo.of(KafkaRecordSize.guard(topic, kafka.clientConfig(Map.of()))))
            .setCoder(ShardedBatches.RECORD);
    if (sink == ExactlyOnceSink.BATCHED) {
      return encoded.apply(
          "WriteBatchedTransactions",
          new BatchedTransactions(kafka, topic, shards, sinkGroupId, Math.max(1, batchSize), maxBatchDelay));
    }
    return regroupedForTransactions(encoded)
        .apply(
            "WriteKafkaTransactions",
            KafkaIO.<String, byte[]>write()
                .withBootstrapServers(kafka.bootstrapServers())
                .withTopic(topic)
                .withKeySerializer(StringSerializer.class)
                .withValueSerializer(ByteArraySerializer.class)
                // Secrets through the factory: KafkaIO shows the config as display data.
                .withProducerFactoryFn(kafka.producerFactory())
                .withProducerConfigUpdates(kafka.shownClientConfig(Map.of()))
                .withEOS(shards, sinkGroupId));
  }

  /** Records regrouped into large bundles, so that Beam's sink downstream sees big transactions. */
  private PCollection<KV<String, byte[]>> regroupedForTransactions(PCollection<KV<String, byte[]>> records) {
    if (batchSize <= 1) {
      return records;
    }
    return records
        .apply("BatchForTransactions", new ShardedBatches(shards, batchSize, maxBatchDelay))
        .apply("Ungather", ParDo.of(new UngatherFn()))
        .setCoder(ShardedBatches.RECORD);
  }

  private static class UngatherFn extends DoFn<KV<Integer, Iterable<KV<String, byte[]>>>, KV<String, byte[]>> {
    @ProcessElement
    public void process(@Element KV<Integer, Iterable<KV<String, byte[]>>> batch, OutputReceiver<KV<String, byte[]>> out) {
      batch.getValue().forEach(out::output);
    }
  }
}
