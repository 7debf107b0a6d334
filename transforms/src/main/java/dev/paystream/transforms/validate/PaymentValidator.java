package dev.paystream.transforms.validate;

import static dev.paystream.transforms.validate.DeadLetterReason.EMPTY_PAYLOAD;
import static dev.paystream.transforms.validate.DeadLetterReason.OVERSIZED;
import static dev.paystream.transforms.validate.DeadLetterReason.TOMBSTONE;

import dev.paystream.schemas.PaymentEvent;
import java.io.Serializable;

/** Turns payment bytes into a {@link PaymentEvent} that passed every rule, or says why not. */
public final class PaymentValidator implements Serializable {
  /**
   * Flink savepoints hold the Kafka source Java-serialized, this object within it: the value of the
   * release of 2026-11-29, kept whatever the class becomes, so that its savepoints restore
   * (ReleaseUpgradeIT).
   */
  private static final long serialVersionUID = -5041816050518827194L;

  private final PaymentFormat format;
  private final long maxFutureSkewMillis;
  private final long maxEventAgeMillis;
  private final int maxPayloadBytes;

  /** With the default event age and payload bounds of {@link ValidatePayments}. */
  public PaymentValidator(PaymentFormat format, long maxFutureSkewMillis) {
    this(
        format,
        maxFutureSkewMillis,
        ValidatePayments.DEFAULT_MAX_EVENT_AGE_DAYS * 86_400_000L,
        ValidatePayments.DEFAULT_MAX_PAYLOAD_BYTES);
  }

  /**
   * @param maxEventAgeMillis how far behind the clock an event time may be
   * @param maxPayloadBytes larger values are rejected unread ({@link DeadLetterReason#OVERSIZED})
   */
  public PaymentValidator(PaymentFormat format, long maxFutureSkewMillis, long maxEventAgeMillis, int maxPayloadBytes) {
    this.format = format;
    this.maxFutureSkewMillis = maxFutureSkewMillis;
    this.maxEventAgeMillis = maxEventAgeMillis;
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /**
   * @param payload the record value; null for a tombstone
   * @param nowMillis the clock that bounds how far in the future or past an event may claim to be
   * @throws InvalidPaymentException with the dead-letter reason if the payment is not acceptable
   */
  public PaymentEvent validate(byte[] payload, long nowMillis) throws InvalidPaymentException {
    if (payload == null) {
      throw new InvalidPaymentException(TOMBSTONE, "the record has no value (a tombstone)");
    }
    if (payload.length == 0) {
      throw new InvalidPaymentException(EMPTY_PAYLOAD, "the record's value is empty");
    }
    if (payload.length > maxPayloadBytes) {
      throw new InvalidPaymentException(
          OVERSIZED, "the value is " + payload.length + " bytes, at most " + maxPayloadBytes + " are read");
    }
    PaymentEvent payment = format.decode(payload);
    PaymentRules.check(payment, nowMillis, maxFutureSkewMillis, maxEventAgeMillis);
    return payment;
  }

  int maxPayloadBytes() {
    return maxPayloadBytes;
  }
}
