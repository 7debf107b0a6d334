package dev.paystream.io.kafka;

import dev.paystream.schemas.SourceRecord;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.kafka.CustomTimestampPolicyWithLimitedDelay;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Reads raw records from a Kafka topic for an exactly-once pipeline: only committed transactions
 * ({@code read_committed}), offsets committed to the consumer group when the runner finalizes a
 * checkpoint (never auto-commit: Beam #21742), starting from the earliest offset when the group
 * has none. Event time is the record timestamp; the watermark trails the newest timestamp seen by
 * the allowed out-of-orderness.
 */
public class ReadPaymentRecords extends PTransform<PBegin, PCollection<SourceRecord>> {
  private final KafkaConnection kafka;
  private final String topic;
  private final String consumerGroup;
  private final Duration maxOutOfOrderness;

  private ReadPaymentRecords(KafkaConnection kafka, String topic, String consumerGroup, Duration maxOutOfOrderness) {
    this.kafka = kafka;
    this.topic = topic;
    this.consumerGroup = consumerGroup;
    this.maxOutOfOrderness = maxOutOfOrderness;
  }

  public static ReadPaymentRecords from(KafkaConnection kafka, String topic, String consumerGroup) {
    return new ReadPaymentRecords(kafka, topic, consumerGroup, Duration.standardSeconds(30));
  }

  /** How far behind the newest record timestamp the watermark is held for late records. */
  public ReadPaymentRecords withMaxOutOfOrderness(Duration delay) {
    return new ReadPaymentRecords(kafka, topic, consumerGroup, delay);
  }

  @Override
  public PCollection<SourceRecord> expand(PBegin input) {
    Duration delay = maxOutOfOrderness;
    return input
        .apply(
            "ReadKafka",
            KafkaIO.<byte[], byte[]>read()
                .withBootstrapServers(kafka.bootstrapServers())
                .withTopic(topic)
                .withKeyDeserializer(ByteArrayDeserializer.class)
                .withValueDeserializer(ByteArrayDeserializer.class)
                .withConsumerConfigUpdates(
                    kafka.clientConfig(
                        Map.of(
                            ConsumerConfig.GROUP_ID_CONFIG, consumerGroup,
                            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")))
                .withReadCommitted()
                .commitOffsetsInFinalize()
                .withTimestampPolicyFactory(
                    (partition, previousWatermark) ->
                        new CustomTimestampPolicyWithLimitedDelay<>(
                            record -> new Instant(record.getTimestamp()), delay, previousWatermark)))
        .apply(
            "ToSourceRecord",
            MapElements.into(TypeDescriptor.of(SourceRecord.class)).via(ReadPaymentRecords::toSourceRecord))
        .setCoder(AvroCoder.of(SourceRecord.class));
  }

  /** A tombstone (no value) stays null, so that it is told apart from an empty value downstream. */
  private static SourceRecord toSourceRecord(KafkaRecord<byte[], byte[]> record) {
    byte[] value = record.getKV().getValue();
    return SourceRecord.newBuilder()
        .setPayload(value == null ? null : ByteBuffer.wrap(value))
        .setTopic(record.getTopic())
        .setPartition(record.getPartition())
        .setOffset(record.getOffset())
        .setTimestamp(record.getTimestamp())
        .build();
  }
}
