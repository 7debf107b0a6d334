package dev.paystream.transforms.analytics;

import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.StatsDimension;

/** The key a payment's statistics are grouped under, per {@link StatsDimension}. */
public final class StatsKeys {
  private StatsKeys() {}

  /** The merchant id, or the category or payment method name. */
  public static String keyOf(StatsDimension dimension, PaymentEvent payment) {
    return switch (dimension) {
      case MERCHANT -> payment.getMerchantId();
      case MERCHANT_CATEGORY -> payment.getMerchantCategory().name();
      case PAYMENT_METHOD -> payment.getPaymentMethod().name();
    };
  }
}
