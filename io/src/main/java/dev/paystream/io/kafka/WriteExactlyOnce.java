package dev.paystream.io.kafka;

import dev.paystream.schemas.wire.SingleObject;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes Avro records to a Kafka topic exactly once, in Kafka transactions ({@code withEOS}), as
 * single-object encoded values keyed by {@code keyFn}. Readers must use {@code read_committed}.
 *
 * <p>The sink keeps its per-shard progress under the consumer group {@code sinkGroupId}: a job
 * restored from a checkpoint or savepoint must keep it, a brand-new job needs a fresh one (Beam
 * refuses to start over metadata left by another job).
 */
public class WriteExactlyOnce<T extends SpecificRecord> extends PTransform<PCollection<T>, PDone> {
  private final KafkaConnection kafka;
  private final String topic;
  private final SerializableFunction<T, String> keyFn;
  private final int shards;
  private final String sinkGroupId;

  private WriteExactlyOnce(
      KafkaConnection kafka, String topic, SerializableFunction<T, String> keyFn, int shards, String sinkGroupId) {
    this.kafka = kafka;
    this.topic = topic;
    this.keyFn = keyFn;
    this.shards = shards;
    this.sinkGroupId = sinkGroupId;
  }

  public static <T extends SpecificRecord> WriteExactlyOnce<T> to(
      KafkaConnection kafka, String topic, SerializableFunction<T, String> keyFn, String sinkGroupId) {
    return new WriteExactlyOnce<>(kafka, topic, keyFn, 1, sinkGroupId);
  }

  /** Parallel transactional producers; each shard is one producer with its own transactions. */
  public WriteExactlyOnce<T> withShards(int shards) {
    return new WriteExactlyOnce<>(kafka, topic, keyFn, shards, sinkGroupId);
  }

  @Override
  public PDone expand(PCollection<T> records) {
    SerializableFunction<T, String> key = keyFn;
    return records
        .apply(
            "Encode",
            MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(byte[].class)))
                .via((T record) -> KV.of(key.apply(record), SingleObject.encode(record))))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()))
        .apply(
            "WriteKafkaTransactions",
            KafkaIO.<String, byte[]>write()
                .withBootstrapServers(kafka.bootstrapServers())
                .withTopic(topic)
                .withKeySerializer(StringSerializer.class)
                .withValueSerializer(ByteArraySerializer.class)
                .withProducerConfigUpdates(kafka.clientConfig(Map.of()))
                .withEOS(shards, sinkGroupId));
  }
}
