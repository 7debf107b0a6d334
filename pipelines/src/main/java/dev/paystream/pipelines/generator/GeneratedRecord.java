package dev.paystream.pipelines.generator;

import dev.paystream.transforms.validate.DeadLetterReason;
import java.util.Arrays;
import java.util.Objects;

/**
 * One Kafka record made by {@link PaymentGenerator}, with the ground truth a test or benchmark
 * needs to check what the pipeline did with it.
 *
 * @param key the Kafka key: the customer id, so one customer's payments share a partition and stay
 *     in order; null for garbage that cannot be attributed to anyone
 * @param value the payload
 * @param timestampMillis the Kafka record timestamp. For a valid payment its event time; for a
 *     duplicate the original's; for a malformed record the point in the timeline where it was sent,
 *     whatever its payload claims (so a far-future payload cannot push the watermark ahead)
 * @param kind what the pipeline should do with it
 * @param transactionId the transaction id the payload carries, or null if it carries no readable
 *     one
 * @param expectedReason the dead-letter reason the validator must give; non-null exactly for {@link
 *     Kind#MALFORMED}
 * @param fraudPattern the {@link FraudPattern} name of a valid payment injected as fraud, else null
 */
public record GeneratedRecord(
    String key,
    byte[] value,
    long timestampMillis,
    Kind kind,
    String transactionId,
    DeadLetterReason expectedReason,
    String fraudPattern) {

  /** What a record is, and so where it must end up in the pipeline's accounting. */
  public enum Kind {
    /** A payment that passes validation and must get exactly one fraud decision. */
    VALID,
    /**
     * The exact bytes, key and timestamp of an earlier valid record: must be dropped as a
     * duplicate.
     */
    DUPLICATE,
    /** A record that fails validation and must be dead-lettered with {@link #expectedReason()}. */
    MALFORMED
  }

  public GeneratedRecord {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(kind, "kind");
    if ((kind == Kind.MALFORMED) != (expectedReason != null)) {
      throw new IllegalArgumentException(
          "expectedReason is required for, and only for, MALFORMED records");
    }
    if (fraudPattern != null && kind != Kind.VALID) {
      throw new IllegalArgumentException("only VALID records carry a fraud pattern");
    }
  }

  static GeneratedRecord valid(
      String customerId, byte[] value, long eventTime, String transactionId, FraudPattern pattern) {
    return new GeneratedRecord(
        customerId,
        value,
        eventTime,
        Kind.VALID,
        transactionId,
        null,
        pattern == null ? null : pattern.name());
  }

  static GeneratedRecord malformed(
      String key,
      byte[] value,
      long timestampMillis,
      String transactionId,
      DeadLetterReason reason) {
    return new GeneratedRecord(
        key, value, timestampMillis, Kind.MALFORMED, transactionId, reason, null);
  }

  /** A re-send of {@code original}: same bytes, key and timestamp. */
  static GeneratedRecord duplicateOf(GeneratedRecord original) {
    if (original.kind != Kind.VALID) {
      throw new IllegalArgumentException("only VALID records are duplicated, not " + original.kind);
    }
    return new GeneratedRecord(
        original.key,
        original.value,
        original.timestampMillis,
        Kind.DUPLICATE,
        original.transactionId,
        null,
        null);
  }

  // A record's equals compares arrays by reference; two records are the same when their bytes are.
  @Override
  public boolean equals(Object other) {
    return other instanceof GeneratedRecord that
        && timestampMillis == that.timestampMillis
        && kind == that.kind
        && expectedReason == that.expectedReason
        && Objects.equals(key, that.key)
        && Objects.equals(transactionId, that.transactionId)
        && Objects.equals(fraudPattern, that.fraudPattern)
        && Arrays.equals(value, that.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        key,
        timestampMillis,
        kind,
        transactionId,
        expectedReason,
        fraudPattern,
        Arrays.hashCode(value));
  }

  @Override
  public String toString() {
    return "GeneratedRecord["
        + kind
        + (expectedReason == null ? "" : " " + expectedReason)
        + (fraudPattern == null ? "" : " " + fraudPattern)
        + ", key="
        + key
        + ", transactionId="
        + transactionId
        + ", timestamp="
        + timestampMillis
        + ", "
        + value.length
        + " bytes]";
  }
}
