package dev.paystream.io.kafka;

import dev.paystream.schemas.SourceRecord;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Instant;

/**
 * Reads fixed {@link OffsetRanges} of a topic as a bounded collection, for backfills and reprocessing
 * in batch mode: the ranges are cut into pieces, spread over the workers, and each piece is read by
 * a plain read_committed consumer. Elements are stamped like {@link ReadPaymentRecords} stamps them:
 * with the payment's own time when {@link #withEventTime} says how to read it (the record timestamp
 * for records without one), else with the record timestamp. A bounded read has no watermark to
 * protect, so nothing here depends on the order of the records.
 *
 * <p>Nothing is committed to a consumer group here: see {@link OffsetRanges#commitEnds}.
 */
public final class ReadOffsetRanges extends PTransform<PBegin, PCollection<SourceRecord>> {
  /** Offsets per piece: small enough to spread a partition over workers, big enough to amortise a seek. */
  private static final long PIECE_OFFSETS = 20_000;

  private final KafkaConnection kafka;
  private final OffsetRanges ranges;
  private final PayloadEventTime eventTime;

  private ReadOffsetRanges(KafkaConnection kafka, OffsetRanges ranges, PayloadEventTime eventTime) {
    this.kafka = kafka;
    this.ranges = ranges;
    this.eventTime = eventTime;
  }

  /** Reads {@code ranges}, event time from the record timestamps until {@link #withEventTime}. */
  public static ReadOffsetRanges of(KafkaConnection kafka, OffsetRanges ranges) {
    return new ReadOffsetRanges(kafka, ranges, null);
  }

  /** Stamps each record with the event time of its payload (the record timestamp where it has none). */
  public ReadOffsetRanges withEventTime(PayloadEventTime eventTime) {
    return new ReadOffsetRanges(kafka, ranges, Objects.requireNonNull(eventTime, "eventTime"));
  }

  @Override
  public PCollection<SourceRecord> expand(PBegin input) {
    List<OffsetRanges.Range> pieces = ranges.pieces(PIECE_OFFSETS);
    PCollection<OffsetRanges.Range> work =
        pieces.isEmpty()
            ? input.apply("NoRanges", Create.empty(SerializableCoder.of(OffsetRanges.Range.class)))
            : input.apply("Ranges", Create.of(pieces).withCoder(SerializableCoder.of(OffsetRanges.Range.class)));
    return work.apply("SpreadRanges", Reshuffle.viaRandomKey())
        .apply("ReadRange", ParDo.of(new ReadRangeFn(kafka, ranges.topic(), eventTime)))
        .setCoder(AvroCoder.of(SourceRecord.class));
  }

  private static class ReadRangeFn extends DoFn<OffsetRanges.Range, SourceRecord> {
    /** A range that makes no progress for this long fails the job rather than hang it. */
    private static final Duration STALL_TIMEOUT = Duration.ofMinutes(2);

    private final KafkaConnection kafka;
    private final String topic;
    private final PayloadEventTime eventTime;
    private transient Consumer<byte[], byte[]> consumer;

    ReadRangeFn(KafkaConnection kafka, String topic, PayloadEventTime eventTime) {
      this.kafka = kafka;
      this.topic = topic;
      this.eventTime = eventTime;
    }

    @Setup
    public void setup() {
      consumer = OffsetRanges.consumer(kafka);
    }

    @ProcessElement
    public void process(@Element OffsetRanges.Range range, OutputReceiver<SourceRecord> out) {
      TopicPartition partition = new TopicPartition(topic, range.partition());
      consumer.assign(List.of(partition));
      consumer.seek(partition, range.start());
      long lastProgress = System.nanoTime();
      // The position also moves past transaction markers and aborted records, which poll skips.
      while (consumer.position(partition) < range.end()) {
        long before = consumer.position(partition);
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500)).records(partition)) {
          if (record.offset() >= range.end()) {
            break;
          }
          out.outputWithTimestamp(
              ReadPaymentRecords.sourceRecord(topic, record.partition(), record.offset(), record.timestamp(), record.value()),
              timestamp(record));
        }
        if (consumer.position(partition) > before) {
          lastProgress = System.nanoTime();
        } else if (System.nanoTime() - lastProgress > STALL_TIMEOUT.toNanos()) {
          throw new IllegalStateException(
              "no progress reading " + partition + " at offset " + before + " of " + range + " for " + STALL_TIMEOUT);
        }
      }
    }

    private Instant timestamp(ConsumerRecord<byte[], byte[]> record) {
      Instant payment = eventTime == null ? null : eventTime.of(record.value());
      return payment != null ? payment : new Instant(record.timestamp());
    }

    @Teardown
    public void teardown() {
      if (consumer != null) {
        consumer.close();
      }
    }
  }
}
