package dev.paystream.pipelines;

import dev.paystream.io.kafka.EventTimeSource;
import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.kafka.OffsetRanges;
import dev.paystream.io.kafka.ReadOffsetRanges;
import dev.paystream.io.kafka.ReadPaymentRecords;
import dev.paystream.schemas.SourceRecord;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a pipeline reads its payments: the payments topic as an endless stream under the pipeline's
 * consumer group, or, for a backfill ({@code --backfill}), the bounded offset ranges fixed when the
 * pipeline is built, read in batch mode. {@link #run} runs the pipeline accordingly: a backfill
 * runs to its end and then hands its end offsets to the consumer group, so that a streaming job of
 * that group continues after the last record it read.
 */
public final class PaymentSource {
  private static final Logger LOG = LoggerFactory.getLogger(PaymentSource.class);
  /** {@code --sourceBatchRecords} when unset on the DirectRunner (measured in bench/README.md, issue 16). */
  static final int DIRECT_RUNNER_BATCH_RECORDS = 100;

  private final PaymentIngestOptions options;
  private final String consumerGroup;
  /** Null for the stream. */
  private final OffsetRanges ranges;

  private PaymentSource(PaymentIngestOptions options, String consumerGroup, OffsetRanges ranges) {
    this.options = options;
    this.consumerGroup = consumerGroup;
    this.ranges = ranges;
  }

  /** The source the options ask for; a backfill's ranges are fixed now, from the topic's end offsets. */
  static PaymentSource of(PaymentIngestOptions options, String consumerGroup) {
    if (!options.getBackfill()) {
      return new PaymentSource(options, consumerGroup, null);
    }
    OffsetRanges ranges =
        OffsetRanges.upToEnd(KafkaConnections.from(options), options.getPaymentsTopic(), consumerGroup, options.getBackfillFrom());
    LOG.info("Backfill of {} offsets from {}: {}", ranges.offsets(), options.getBackfillFrom(), ranges);
    return new PaymentSource(options, consumerGroup, ranges);
  }

  /** The consumer group the stream reads under (and a backfill hands its end offsets to). */
  String consumerGroup() {
    return consumerGroup;
  }

  public boolean bounded() {
    return ranges != null;
  }

  /** The backfill's ranges; empty for the stream. */
  public Optional<OffsetRanges> ranges() {
    return Optional.ofNullable(ranges);
  }

  /** The raw records, stamped with their event time as {@code --eventTimeSource} says. */
  PTransform<PBegin, PCollection<SourceRecord>> read() {
    KafkaConnection kafka = KafkaConnections.from(options);
    boolean paymentTime = options.getEventTimeSource() == EventTimeSource.PAYMENT;
    if (ranges != null) {
      ReadOffsetRanges read = ReadOffsetRanges.of(kafka, ranges);
      return paymentTime ? read.withEventTime(PaymentEventTimes.from(options)) : read;
    }
    ReadPaymentRecords read =
        ReadPaymentRecords.from(kafka, options.getPaymentsTopic(), consumerGroup)
            .withMaxOutOfOrderness(Duration.standardSeconds(options.getMaxOutOfOrdernessSeconds()))
            .inBatchesOf(batchRecords());
    return paymentTime ? read.withEventTime(PaymentEventTimes.from(options)) : read;
  }

  private int batchRecords() {
    Integer configured = options.getSourceBatchRecords();
    // by name: the DirectRunner is not on the Flink job jar's classpath
    boolean direct = options.getRunner().getSimpleName().equals("DirectRunner");
    return configured != null ? configured : direct ? DIRECT_RUNNER_BATCH_RECORDS : 0;
  }

  /**
   * Runs {@code pipeline}. A stream is started and handed back; a backfill runs to its end, and if
   * it succeeded and {@code --backfillCommitOffsets}, its end offsets become the consumer group's.
   */
  /**
   * How a main runs {@code pipeline}: a backfill to its end ({@link #run}), a stream until it is
   * cancelled or fails ({@link PipelineMain#runUntilDone}).
   *
   * @return the process's exit code
   */
  int runToEnd(Pipeline pipeline) {
    if (ranges == null) {
      return PipelineMain.runUntilDone(pipeline);
    }
    run(pipeline);
    return 0;
  }

  public PipelineResult run(Pipeline pipeline) {
    PipelineResult result = pipeline.run();
    if (ranges == null) {
      return result;
    }
    PipelineResult.State state = result.waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("backfill ended " + state + "; no offsets committed");
    }
    if (options.getBackfillCommitOffsets()) {
      Map<TopicPartition, Long> committed = ranges.commitEnds(KafkaConnections.from(options), consumerGroup);
      LOG.info("Backfill done; committed for group {}: {}", consumerGroup, committed);
    } else {
      LOG.info("Backfill done; no offsets committed (--backfillCommitOffsets=false)");
    }
    return result;
  }
}
