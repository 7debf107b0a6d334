package dev.paystream.transforms.validate;

/** Why a record went to the dead-letter output; stored as {@code DeadLetter.error_code}. */
public enum DeadLetterReason {
  /** Neither a known Avro payment nor JSON, or corrupt. */
  UNPARSEABLE,
  /** A required field is absent, null or empty. */
  MISSING_FIELD,
  /** Amount is zero or negative. */
  INVALID_AMOUNT,
  /** An enum field holds a value we do not know. */
  UNKNOWN_ENUM,
  /** The timestamp cannot be read. */
  INVALID_TIMESTAMP,
  /** The event claims to happen further in the future than the allowed clock skew. */
  FUTURE_TIMESTAMP,
  /** total_amount differs from amount + commission_amount + vat_amount. */
  INCONSISTENT_TOTAL,
  /** A field is outside its documented range (risk level, coordinates, negative fees). */
  OUT_OF_RANGE,
  /**
   * Windowed analytics only: the payment arrived after the watermark had passed its window's end
   * plus the allowed lateness. One dead letter per window the payment missed.
   */
  LATE
}
