package dev.paystream.transforms.validate;

/** Why a record went to the dead-letter output; stored as {@code DeadLetter.error_code}. */
public enum DeadLetterReason {
  /**
   * Neither a known Avro payment nor JSON, or corrupt: including bytes after the payment (two JSON
   * objects in one record), duplicate JSON keys, NaN/Infinity, nesting or tokens beyond the limits.
   */
  UNPARSEABLE,
  /**
   * Avro single-object encoded with a schema fingerprint no released PaymentEvent version has: a
   * producer on a newer schema than this consumer (or a foreign record). Its payload is kept, so it
   * can be replayed once the consumer knows the schema.
   */
  UNKNOWN_SCHEMA,
  /** A Kafka tombstone: the record has no value at all (its dead letter's payload is null). */
  TOMBSTONE,
  /** The record's value is empty (zero bytes; its dead letter's payload is empty, not null). */
  EMPTY_PAYLOAD,
  /** The value is larger than {@code --maxPayloadBytes}; its dead letter keeps the first bytes, size and hash. */
  OVERSIZED,
  /** A required field is absent, null or empty. */
  MISSING_FIELD,
  /** Amount is zero or negative. */
  INVALID_AMOUNT,
  /** An enum field holds a value we do not know. */
  UNKNOWN_ENUM,
  /** The timestamp cannot be read, has no offset, or is a number that is not epoch milliseconds (epoch seconds). */
  INVALID_TIMESTAMP,
  /** The event claims to happen further in the future than the allowed clock skew. */
  FUTURE_TIMESTAMP,
  /** The event claims to be older than {@code --maxEventAgeDays} (e.g. 1970: epoch seconds read as millis). */
  STALE_TIMESTAMP,
  /** total_amount differs from amount + commission_amount + vat_amount. */
  INCONSISTENT_TOTAL,
  /**
   * A field is outside its documented range: risk level, coordinates (NaN included), negative fees,
   * amounts whose total overflows 64 bits, text longer than its bound or holding control characters.
   */
  OUT_OF_RANGE,
  /**
   * Windowed analytics only: the payment arrived after the watermark had passed its window's end
   * plus the allowed lateness. One dead letter per window the payment missed.
   */
  LATE
}
