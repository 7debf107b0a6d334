package dev.paystream.transforms.validate;

import static dev.paystream.transforms.validate.DeadLetterReason.FUTURE_TIMESTAMP;
import static dev.paystream.transforms.validate.DeadLetterReason.INCONSISTENT_TOTAL;
import static dev.paystream.transforms.validate.DeadLetterReason.INVALID_AMOUNT;
import static dev.paystream.transforms.validate.DeadLetterReason.MISSING_FIELD;
import static dev.paystream.transforms.validate.DeadLetterReason.OUT_OF_RANGE;

import dev.paystream.schemas.GeoLocation;
import dev.paystream.schemas.PaymentEvent;

/** Business rules every payment must pass, whatever format it arrived in. */
final class PaymentRules {
  static final int MIN_RISK_LEVEL = 1;
  static final int MAX_RISK_LEVEL = 5;

  private PaymentRules() {}

  /**
   * @param nowMillis the clock the future-timestamp rule compares with
   * @param maxFutureSkewMillis how far ahead of that clock an event may claim to be
   */
  static void check(PaymentEvent payment, long nowMillis, long maxFutureSkewMillis)
      throws InvalidPaymentException {
    requireText(payment.getTransactionId(), "transaction_id");
    requireText(payment.getCustomerId(), "customer_id");
    requireText(payment.getMerchantId(), "merchant_id");
    if (payment.getAmount() <= 0) {
      throw new InvalidPaymentException(INVALID_AMOUNT, "amount must be positive, was " + payment.getAmount());
    }
    if (payment.getCommissionAmount() < 0 || payment.getVatAmount() < 0) {
      throw new InvalidPaymentException(
          OUT_OF_RANGE,
          "commission_amount and vat_amount must not be negative, were "
              + payment.getCommissionAmount() + " and " + payment.getVatAmount());
    }
    long expectedTotal = payment.getAmount() + payment.getCommissionAmount() + payment.getVatAmount();
    if (payment.getTotalAmount() != expectedTotal) {
      throw new InvalidPaymentException(
          INCONSISTENT_TOTAL,
          "total_amount " + payment.getTotalAmount() + " != amount + commission + vat = " + expectedTotal);
    }
    if (payment.getRiskLevel() < MIN_RISK_LEVEL || payment.getRiskLevel() > MAX_RISK_LEVEL) {
      throw new InvalidPaymentException(
          OUT_OF_RANGE, "risk_level must be in [1, 5], was " + payment.getRiskLevel());
    }
    GeoLocation location = payment.getLocation();
    if (location != null && (Math.abs(location.getLat()) > 90 || Math.abs(location.getLng()) > 180)) {
      throw new InvalidPaymentException(
          OUT_OF_RANGE, "location out of range: " + location.getLat() + ", " + location.getLng());
    }
    if (payment.getEventTime() > nowMillis + maxFutureSkewMillis) {
      throw new InvalidPaymentException(
          FUTURE_TIMESTAMP,
          "event_time " + payment.getEventTime() + " is more than " + maxFutureSkewMillis
              + " ms ahead of the clock (" + nowMillis + ")");
    }
  }

  private static void requireText(String value, String field) throws InvalidPaymentException {
    if (value == null || value.isBlank()) {
      throw new InvalidPaymentException(MISSING_FIELD, field + " is missing or empty");
    }
  }
}
