package dev.paystream.pipelines;

import dev.paystream.io.kafka.PayloadEventTime;
import dev.paystream.transforms.validate.InvalidPaymentException;
import dev.paystream.transforms.validate.PaymentValidator;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The payment time of a record as the readers need it: the event time of a payload that {@link
 * PaymentValidator} accepts, with the options {@code ValidatePayments} runs with, so exactly the
 * payments validation lets through move the watermark. It decodes each payload once more than
 * validation does (measured in the README).
 */
final class PaymentEventTimes implements PayloadEventTime {
  /**
   * Flink savepoints hold the Kafka source Java-serialized, this object within it: the value of the
   * release of 2026-11-29, kept whatever the class becomes, so that its savepoints restore
   * (ReleaseUpgradeIT).
   */
  private static final long serialVersionUID = -5394181985256592964L;

  private final PaymentValidator validator;

  private PaymentEventTimes(PaymentValidator validator) {
    this.validator = validator;
  }

  static PaymentEventTimes from(PaymentIngestOptions options) {
    return new PaymentEventTimes(
        new PaymentValidator(
            options.getPaymentFormat(),
            Duration.standardMinutes(options.getMaxFutureSkewMinutes()).getMillis(),
            Duration.standardDays(options.getMaxEventAgeDays()).getMillis(),
            options.getMaxPayloadBytes()));
  }

  @Override
  public Instant of(byte[] payload) {
    if (payload == null) {
      return null;
    }
    try {
      return new Instant(validator.validate(payload, System.currentTimeMillis()).getEventTime());
    } catch (InvalidPaymentException | RuntimeException e) {
      // Dead-lettered by ValidatePayments with its reason; here it only must not move the watermark.
      return null;
    }
  }
}
