package dev.paystream.io.kafka;

import dev.paystream.schemas.metrics.PaystreamMetrics;
import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * One partition's element timestamps and watermark from the payments' own times: the watermark
 * trails the newest accepted payment time by the allowed out-of-orderness. It behaves like Beam's
 * {@code CustomTimestampPolicyWithLimitedDelay} (watermark never ahead of the clock less the
 * delay; an idle, caught-up partition advances to the clock less the delay) with two differences.
 * A record whose payload has no acceptable event time is stamped with the newest accepted time so
 * far, so a corrupt or far-future record can neither move the watermark nor be dropped as late by
 * a runner; validation dead-letters it afterwards. And a caught-up partition that has not read a
 * payment yet (empty, or only garbage so far) advances like any idle one: Beam's policy waits for
 * a first record there, so one empty partition of a topic, as when a few keys land on some
 * partitions only, held the pipeline's watermark at the beginning of time and no event-time
 * window ever closed.
 */
final class PaymentTimestampPolicy extends TimestampPolicy<byte[], byte[]> {
  private final PayloadEventTime eventTime;
  private final Duration maxDelay;
  private Instant maxEventTime;
  private final String topic;
  private final String partition;

  PaymentTimestampPolicy(
      PayloadEventTime eventTime, Duration maxDelay, Optional<Instant> previousWatermark, TopicPartition partition) {
    this.eventTime = eventTime;
    this.topic = partition.topic();
    this.partition = Integer.toString(partition.partition());
    PaystreamMetrics.LATE_RECORDS.labelValues(topic);
    this.maxDelay = maxDelay;
    // Before the first record the watermark is the checkpointed one, as in Beam's policy.
    this.maxEventTime = previousWatermark.orElse(BoundedWindow.TIMESTAMP_MIN_VALUE).plus(maxDelay);
  }

  @Override
  public Instant getTimestampForRecord(PartitionContext context, KafkaRecord<byte[], byte[]> record) {
    Instant time = eventTime.of(record.getKV().getValue());
    if (time == null) {
      return maxEventTime;
    }
    if (time.isAfter(maxEventTime)) {
      maxEventTime = time;
    } else if (time.isBefore(maxEventTime.minus(maxDelay))) {
      PaystreamMetrics.LATE_RECORDS.labelValues(topic).inc();
    }
    return time;
  }

  @Override
  public Instant getWatermark(PartitionContext context) {
    Instant now = Instant.now();
    Instant watermark = watermark(context, now);
    if (watermark.getMillis() > 0) {
      PaystreamMetrics.WATERMARK_LAG
          .labelValues(topic, partition)
          .set(PaystreamMetrics.seconds(now.getMillis() - watermark.getMillis()));
    }
    return watermark;
  }

  Instant watermark(PartitionContext context, Instant now) {
    if (maxEventTime.isAfter(now)) {
      // Within the validator's future skew: the clock, not the payment, bounds the watermark.
      return now.minus(maxDelay);
    }
    if (context.getMessageBacklog() == 0
        && context.getBacklogCheckTime().minus(maxDelay).isAfter(maxEventTime)) {
      // Caught up (the backlog is known to be 0, so the partition's end offset has been fetched)
      // and idle, whether or not it ever held a payment: later payments are assumed no older
      // than the clock less the delay.
      return context.getBacklogCheckTime().minus(maxDelay);
    }
    return maxEventTime.minus(maxDelay);
  }
}
