package dev.paystream.transforms.validate;

import static dev.paystream.transforms.validate.DeadLetterReason.FUTURE_TIMESTAMP;
import static dev.paystream.transforms.validate.DeadLetterReason.INCONSISTENT_TOTAL;
import static dev.paystream.transforms.validate.DeadLetterReason.INVALID_AMOUNT;
import static dev.paystream.transforms.validate.DeadLetterReason.MISSING_FIELD;
import static dev.paystream.transforms.validate.DeadLetterReason.OUT_OF_RANGE;
import static dev.paystream.transforms.validate.DeadLetterReason.STALE_TIMESTAMP;

import dev.paystream.schemas.DeviceInfo;
import dev.paystream.schemas.GeoLocation;
import dev.paystream.schemas.PaymentEvent;

/**
 * Business rules every payment must pass, whatever format it arrived in. They also bound every
 * field that ends up in an output record (decisions, features in PostgreSQL and Redis), so that
 * whatever a producer sends, what the pipeline writes fits its sinks: ids and texts are short and
 * hold no control characters (PostgreSQL {@code text} refuses NUL, SQLState 22021) nor broken
 * UTF-16 (which UTF-8 encoders replace silently, changing the id), and amounts are at most {@link
 * #MAX_AMOUNT}, so that totals and the sums kept downstream fit 64 bits.
 */
public final class PaymentRules {
  static final int MIN_RISK_LEVEL = 1;
  static final int MAX_RISK_LEVEL = 5;
  /** transaction_id, customer_id, merchant_id: far longer than any UUID or prefixed id. */
  public static final int MAX_ID_LENGTH = 128;
  /** device os, app version, failure reason. */
  public static final int MAX_TEXT_LENGTH = 256;
  /**
   * The largest amount, commission or VAT accepted, in minor units: 10^12 (ten billion in major
   * units, far beyond any single payment). Bounded so that the sums the pipelines keep in 64 bits
   * (a customer's 24-hour sum, a window's amount sum) stay exact: it takes over 9 million payments
   * of this size in one customer's 24 hours or in one window to overflow, where an unbounded amount
   * could wrap a sum with two payments.
   */
  public static final long MAX_AMOUNT = 1_000_000_000_000L;

  private PaymentRules() {}

  /**
   * @param nowMillis the clock the event-time rules compare with
   * @param maxFutureSkewMillis how far ahead of that clock an event may claim to be
   * @param maxEventAgeMillis how far behind it
   */
  static void check(PaymentEvent payment, long nowMillis, long maxFutureSkewMillis, long maxEventAgeMillis)
      throws InvalidPaymentException {
    requireText(payment.getTransactionId(), "transaction_id", MAX_ID_LENGTH);
    requireText(payment.getCustomerId(), "customer_id", MAX_ID_LENGTH);
    requireText(payment.getMerchantId(), "merchant_id", MAX_ID_LENGTH);
    DeviceInfo device = payment.getDeviceInfo();
    if (device != null) {
      requireText(device.getOs(), "device_info.os", MAX_TEXT_LENGTH);
      requireText(device.getAppVersion(), "device_info.app_version", MAX_TEXT_LENGTH);
    }
    if (payment.getFailureReason() != null) {
      requireText(payment.getFailureReason(), "failure_reason", MAX_TEXT_LENGTH);
    }
    for (String field : PaymentJson.V2_FIELDS) {
      // v2's optional texts: bounded like every text, whichever format carried them.
      if (payment.get(field) != null) {
        requireText(payment.get(field).toString(), field, MAX_TEXT_LENGTH);
      }
    }
    if (payment.getAmount() <= 0) {
      throw new InvalidPaymentException(INVALID_AMOUNT, "amount must be positive, was " + payment.getAmount());
    }
    if (payment.getAmount() > MAX_AMOUNT
        || payment.getCommissionAmount() > MAX_AMOUNT
        || payment.getVatAmount() > MAX_AMOUNT) {
      throw new InvalidPaymentException(
          OUT_OF_RANGE,
          "amount, commission_amount and vat_amount must be at most " + MAX_AMOUNT + ", were "
              + payment.getAmount() + ", " + payment.getCommissionAmount() + " and " + payment.getVatAmount());
    }
    if (payment.getCommissionAmount() < 0 || payment.getVatAmount() < 0) {
      throw new InvalidPaymentException(
          OUT_OF_RANGE,
          "commission_amount and vat_amount must not be negative, were "
              + payment.getCommissionAmount() + " and " + payment.getVatAmount());
    }
    long expectedTotal;
    try {
      expectedTotal =
          Math.addExact(Math.addExact(payment.getAmount(), payment.getCommissionAmount()), payment.getVatAmount());
    } catch (ArithmeticException e) {
      throw new InvalidPaymentException(
          OUT_OF_RANGE, "amount + commission + vat overflows a 64-bit integer: " + payment.getAmount()
              + " + " + payment.getCommissionAmount() + " + " + payment.getVatAmount());
    }
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
    // written so that NaN fails too
    if (location != null && !(Math.abs(location.getLat()) <= 90 && Math.abs(location.getLng()) <= 180)) {
      throw new InvalidPaymentException(
          OUT_OF_RANGE, "location out of range: " + location.getLat() + ", " + location.getLng());
    }
    if (payment.getEventTime() > nowMillis + maxFutureSkewMillis) {
      throw new InvalidPaymentException(
          FUTURE_TIMESTAMP,
          "event_time " + payment.getEventTime() + " is more than " + maxFutureSkewMillis
              + " ms ahead of the clock (" + nowMillis + ")");
    }
    if (payment.getEventTime() < nowMillis - maxEventAgeMillis) {
      throw new InvalidPaymentException(
          STALE_TIMESTAMP,
          "event_time " + payment.getEventTime() + " is more than " + maxEventAgeMillis
              + " ms behind the clock (" + nowMillis + ")");
    }
  }

  private static void requireText(String value, String field, int maxLength) throws InvalidPaymentException {
    if (value == null || value.isBlank()) {
      throw new InvalidPaymentException(MISSING_FIELD, field + " is missing or empty");
    }
    if (value.length() > maxLength) {
      throw new InvalidPaymentException(
          OUT_OF_RANGE, field + " is " + value.length() + " characters long, at most " + maxLength + " allowed");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c)) {
        throw new InvalidPaymentException(OUT_OF_RANGE, field + " holds control character U+" + hex(c) + " at " + i);
      }
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new InvalidPaymentException(OUT_OF_RANGE, field + " holds a lone surrogate U+" + hex(c) + " at " + i);
      }
    }
  }

  private static String hex(char c) {
    return String.format("%04X", (int) c);
  }
}
