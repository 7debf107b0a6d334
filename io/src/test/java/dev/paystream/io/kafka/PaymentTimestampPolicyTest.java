package dev.paystream.io.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.io.kafka.TimestampPolicy.PartitionContext;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Element timestamps and watermark follow the payload's time, never the record timestamp, and
 * records without an acceptable time hold the watermark.
 */
class PaymentTimestampPolicyTest {
  private static final Duration DELAY = Duration.standardSeconds(30);
  private static final org.apache.kafka.common.TopicPartition PARTITION = new org.apache.kafka.common.TopicPartition("payments", 0);
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  /** Payloads are event times in ISO-8601; anything else has none. */
  private static final PayloadEventTime ISO_PAYLOAD =
      payload -> {
        try {
          return payload == null ? null : Instant.parse(new String(payload, UTF_8));
        } catch (IllegalArgumentException e) {
          return null;
        }
      };

  private final PaymentTimestampPolicy policy = new PaymentTimestampPolicy(ISO_PAYLOAD, DELAY, Optional.empty(), PARTITION);

  @Test
  void elementsAndWatermarkFollowPaymentTimesNotRecordTimestamps() {
    Instant threeDaysAgo = NOW.minus(Duration.standardDays(3));
    // Sent now (record timestamp = send time), paid three days ago.
    assertEquals(threeDaysAgo, policy.getTimestampForRecord(busy(), record(threeDaysAgo.toString(), NOW)));
    assertEquals(threeDaysAgo.minus(DELAY), policy.watermark(busy(), NOW));
    // An older payment does not move the watermark back; a newer one moves it on.
    Instant older = threeDaysAgo.minus(Duration.standardHours(5));
    assertEquals(older, policy.getTimestampForRecord(busy(), record(older.toString(), NOW)));
    assertEquals(threeDaysAgo.minus(DELAY), policy.watermark(busy(), NOW));
    Instant newer = threeDaysAgo.plus(Duration.standardHours(1));
    policy.getTimestampForRecord(busy(), record(newer.toString(), NOW));
    assertEquals(newer.minus(DELAY), policy.watermark(busy(), NOW));
  }

  @Test
  void recordsWithoutAcceptablePaymentTimeHoldTheWatermark() {
    Instant paid = NOW.minus(Duration.standardDays(1));
    policy.getTimestampForRecord(busy(), record(paid.toString(), NOW));
    // Garbage and tombstones are stamped with the newest accepted time: not late, not moving anything.
    assertEquals(paid, policy.getTimestampForRecord(busy(), record("not a payment", NOW)));
    assertEquals(paid, policy.getTimestampForRecord(busy(), record(null, NOW)));
    assertEquals(paid.minus(DELAY), policy.watermark(busy(), NOW));
  }

  @Test
  void garbageBeforeAnyPaymentKeepsTheWatermarkAtTheStartWhileThereIsABacklog() {
    assertEquals(
        BoundedWindow.TIMESTAMP_MIN_VALUE.plus(DELAY), policy.getTimestampForRecord(busy(), record("garbage", NOW)));
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, policy.watermark(busy(), NOW));
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, policy.watermark(context(BACKLOG_UNKNOWN, NOW), NOW));
  }

  /** Else one partition that no payment reached holds every event-time window open for ever. */
  @Test
  void aCaughtUpPartitionWithoutPaymentsAdvancesToTheClockLessTheDelay() {
    assertEquals(NOW.minus(DELAY), policy.watermark(idle(NOW), NOW));
    policy.getTimestampForRecord(busy(), record("garbage", NOW));
    assertEquals(NOW.minus(DELAY), policy.watermark(idle(NOW), NOW));
  }

  @Test
  void aCaughtUpIdlePartitionAdvancesToTheClockLessTheDelay() {
    policy.getTimestampForRecord(busy(), record(NOW.minus(Duration.standardDays(2)).toString(), NOW));
    assertEquals(NOW.minus(DELAY), policy.watermark(idle(NOW), NOW));
  }

  @Test
  void aPaymentAheadOfTheClockCapsTheWatermarkAtTheClock() {
    policy.getTimestampForRecord(busy(), record(NOW.plus(Duration.standardMinutes(3)).toString(), NOW));
    assertEquals(NOW.minus(DELAY), policy.watermark(busy(), NOW));
  }

  @Test
  void restoresFromThePreviousWatermark() {
    Instant previous = NOW.minus(Duration.standardHours(1));
    PaymentTimestampPolicy restored = new PaymentTimestampPolicy(ISO_PAYLOAD, DELAY, Optional.of(previous), PARTITION);
    assertEquals(previous, restored.watermark(busy(), NOW));
  }

  /** What KafkaIO reports before it has fetched the partition's end offset. */
  private static final long BACKLOG_UNKNOWN = org.apache.beam.sdk.io.UnboundedSource.UnboundedReader.BACKLOG_UNKNOWN;

  private static KafkaRecord<byte[], byte[]> record(String payload, Instant recordTimestamp) {
    return new KafkaRecord<>(
        "payments", 0, 7, recordTimestamp.getMillis(), KafkaTimestampType.CREATE_TIME, null,
        KV.of(null, payload == null ? null : payload.getBytes(UTF_8)));
  }

  private static PartitionContext busy() {
    return context(1_000, NOW);
  }

  private static PartitionContext idle(Instant checkedAt) {
    return context(0, checkedAt);
  }

  private static PartitionContext context(long backlog, Instant checkedAt) {
    return new PartitionContext() {
      @Override
      public long getMessageBacklog() {
        return backlog;
      }

      @Override
      public Instant getBacklogCheckTime() {
        return checkedAt;
      }
    };
  }
}
