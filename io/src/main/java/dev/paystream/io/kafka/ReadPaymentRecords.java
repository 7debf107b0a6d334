package dev.paystream.io.kafka;

import dev.paystream.schemas.metrics.PaystreamMetrics;
import dev.paystream.schemas.SourceRecord;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.kafka.CustomTimestampPolicyWithLimitedDelay;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
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
  /** 0: one source element per record, KafkaIO's own read. */
  private final int batchRecords;

  private ReadPaymentRecords(
      KafkaConnection kafka, String topic, String consumerGroup, Duration maxOutOfOrderness, PayloadEventTime eventTime,
      int batchRecords) {
    this.kafka = kafka;
    this.topic = topic;
    this.consumerGroup = consumerGroup;
    this.maxOutOfOrderness = maxOutOfOrderness;
    this.eventTime = eventTime;
    this.batchRecords = batchRecords;
  }

  /** Event time is the record timestamp until {@link #withEventTime} says otherwise. */
  public static ReadPaymentRecords from(KafkaConnection kafka, String topic, String consumerGroup) {
    return new ReadPaymentRecords(kafka, topic, consumerGroup, Duration.standardSeconds(30), null, 0);
  }

  /**
   * Reads KafkaIO's source in batches of up to {@code records} records ({@link
   * BatchingUnboundedSource}), split into records again by the next step; 0 reads it as KafkaIO
   * does. For the DirectRunner, which reads 10 source elements per bundle and runs every later
   * step once per bundle: batches make its bundles hundreds of records large. Offsets, commits,
   * event time and watermark stay KafkaIO's. The steps differ from KafkaIO's read, so a Flink job
   * must not switch it on or off across a savepoint.
   */
  public ReadPaymentRecords inBatchesOf(int records) {
    if (records < 0) {
      throw new IllegalArgumentException("batch size is negative: " + records);
    }
    return new ReadPaymentRecords(kafka, topic, consumerGroup, maxOutOfOrderness, eventTime, records);
  }

  /** How far behind the newest event time the watermark is held for late records. */
  public ReadPaymentRecords withMaxOutOfOrderness(Duration delay) {
    if (delay.isShorterThan(Duration.ZERO)) {
      throw new IllegalArgumentException("max out-of-orderness is negative: " + delay);
    }
    return new ReadPaymentRecords(kafka, topic, consumerGroup, delay, eventTime, batchRecords);
  }

  /**
   * Event time (element timestamps and watermark) from each payload, not from the record timestamp
   * its producer chose. Records for which {@code eventTime} has none hold the watermark.
   */
  public ReadPaymentRecords withEventTime(PayloadEventTime eventTime) {
    return new ReadPaymentRecords(
        kafka, topic, consumerGroup, maxOutOfOrderness, Objects.requireNonNull(eventTime, "eventTime"), batchRecords);
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
    KafkaIO.Read<byte[], byte[]> read =
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
            .withTimestampPolicyFactory(timestamps);
    if (batchRecords > 0) {
      return input
          .apply("ReadKafkaBatches", Read.from(KafkaSources.inBatches(read, batchRecords, input.getPipeline().getOptions())))
          .apply("ToSourceRecords", ParDo.of(new UnbatchFn(group)))
          .setCoder(AvroCoder.of(SourceRecord.class));
    }
    return input
        .apply("ReadKafka", read)
        .apply(
            "ToSourceRecord",
            MapElements.into(TypeDescriptor.of(SourceRecord.class)).via(record -> counted(group, record)))
        .setCoder(AvroCoder.of(SourceRecord.class));
  }

  /** Each record of a batch with its own event time (never before the batch's: its earliest). */
  private static final class UnbatchFn extends DoFn<List<TimestampedValue<SourceRecord>>, SourceRecord> {
    private final String group;

    UnbatchFn(String group) {
      this.group = group;
    }

    @ProcessElement
    public void process(@Element List<TimestampedValue<SourceRecord>> batch, OutputReceiver<SourceRecord> out) {
      for (TimestampedValue<SourceRecord> record : batch) {
        SourceRecord value = record.getValue();
        PaystreamMetrics.RECORDS_READ.labelValues(group, value.getTopic(), Integer.toString(value.getPartition())).inc();
        out.outputWithTimestamp(value, record.getTimestamp());
      }
    }
  }

  private static SourceRecord counted(String group, KafkaRecord<byte[], byte[]> record) {
    PaystreamMetrics.RECORDS_READ
        .labelValues(group, record.getTopic(), Integer.toString(record.getPartition()))
        .inc();
    return toSourceRecord(record);
  }

  /** A tombstone (no value) stays null, so that it is told apart from an empty value downstream. */
  static SourceRecord toSourceRecord(KafkaRecord<byte[], byte[]> record) {
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
