package dev.paystream.io.kafka;

import dev.paystream.schemas.metrics.PaystreamMetrics;
import dev.paystream.schemas.SourceRecord;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.kafka.CustomTimestampPolicyWithLimitedDelay;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
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
 * has none. Event time is the payment's own time when {@link #withEventTime} says how to read it
 * ({@link PaymentTimestampPolicy}), else the record timestamp; either way the watermark trails the
 * newest time seen by the allowed out-of-orderness.
 */
public class ReadPaymentRecords extends PTransform<PBegin, PCollection<SourceRecord>> {
  /**
   * Flink savepoints hold the Kafka source Java-serialized, this object within it: the value of the
   * release of 2026-11-29, kept whatever the class becomes, so that its savepoints restore
   * (ReleaseUpgradeIT).
   */
  private static final long serialVersionUID = 7006522564848661331L;

  private final KafkaConnection kafka;
  private final String topic;
  private final String consumerGroup;
  private final Duration maxOutOfOrderness;
  /** Null: event time is the Kafka record timestamp. */
  private final PayloadEventTime eventTime;

  private ReadPaymentRecords(
      KafkaConnection kafka, String topic, String consumerGroup, Duration maxOutOfOrderness, PayloadEventTime eventTime) {
    this.kafka = kafka;
    this.topic = topic;
    this.consumerGroup = consumerGroup;
    this.maxOutOfOrderness = maxOutOfOrderness;
    this.eventTime = eventTime;
  }

  /** Event time is the record timestamp until {@link #withEventTime} says otherwise. */
  public static ReadPaymentRecords from(KafkaConnection kafka, String topic, String consumerGroup) {
    return new ReadPaymentRecords(kafka, topic, consumerGroup, Duration.standardSeconds(30), null);
  }

  /** How far behind the newest event time the watermark is held for late records. */
  public ReadPaymentRecords withMaxOutOfOrderness(Duration delay) {
    if (delay.isShorterThan(Duration.ZERO)) {
      throw new IllegalArgumentException("max out-of-orderness is negative: " + delay);
    }
    return new ReadPaymentRecords(kafka, topic, consumerGroup, delay, eventTime);
  }

  /**
   * Event time (element timestamps and watermark) from each payload, not from the record timestamp
   * its producer chose. Records for which {@code eventTime} has none hold the watermark.
   */
  public ReadPaymentRecords withEventTime(PayloadEventTime eventTime) {
    return new ReadPaymentRecords(
        kafka, topic, consumerGroup, maxOutOfOrderness, Objects.requireNonNull(eventTime, "eventTime"));
  }

  @Override
  public PCollection<SourceRecord> expand(PBegin input) {
    Duration delay = maxOutOfOrderness;
    PayloadEventTime payloadTime = eventTime;
    String group = consumerGroup;
    TimestampPolicyFactory<byte[], byte[]> timestamps =
        payloadTime == null
            ? (partition, previousWatermark) ->
                new CustomTimestampPolicyWithLimitedDelay<>(
                    record -> new Instant(record.getTimestamp()), delay, previousWatermark)
            : (partition, previousWatermark) -> new PaymentTimestampPolicy(payloadTime, delay, previousWatermark, partition);
    return input
        .apply(
            "ReadKafka",
            KafkaIO.<byte[], byte[]>read()
                .withBootstrapServers(kafka.bootstrapServers())
                .withTopic(topic)
                .withKeyDeserializer(ByteArrayDeserializer.class)
                .withValueDeserializer(ByteArrayDeserializer.class)
                // Secrets through the factory: KafkaIO shows the config as display data.
                .withConsumerFactoryFn(kafka.consumerFactory())
                .withConsumerConfigUpdates(
                    kafka.shownClientConfig(
                        Map.of(
                            ConsumerConfig.GROUP_ID_CONFIG, consumerGroup,
                            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")))
                .withReadCommitted()
                .commitOffsetsInFinalize()
                .withTimestampPolicyFactory(timestamps))
        .apply(
            "ToSourceRecord",
            MapElements.into(TypeDescriptor.of(SourceRecord.class)).via(record -> counted(group, record)))
        .setCoder(AvroCoder.of(SourceRecord.class));
  }

  private static SourceRecord counted(String group, KafkaRecord<byte[], byte[]> record) {
    PaystreamMetrics.RECORDS_READ
        .labelValues(group, record.getTopic(), Integer.toString(record.getPartition()))
        .inc();
    return toSourceRecord(record);
  }

  /** A tombstone (no value) stays null, so that it is told apart from an empty value downstream. */
  private static SourceRecord toSourceRecord(KafkaRecord<byte[], byte[]> record) {
    return sourceRecord(
        record.getTopic(), record.getPartition(), record.getOffset(), record.getTimestamp(), record.getKV().getValue());
  }

  /** The record as the pipelines' transforms see it, whichever reader read it. */
  static SourceRecord sourceRecord(String topic, int partition, long offset, long timestamp, byte[] value) {
    return SourceRecord.newBuilder()
        .setPayload(value == null ? null : ByteBuffer.wrap(value))
        .setTopic(topic)
        .setPartition(partition)
        .setOffset(offset)
        .setTimestamp(timestamp)
        .build();
  }
}
