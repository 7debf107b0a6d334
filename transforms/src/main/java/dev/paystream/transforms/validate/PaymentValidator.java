package dev.paystream.transforms.validate;

import dev.paystream.schemas.PaymentEvent;
import java.io.Serializable;

/** Turns payment bytes into a {@link PaymentEvent} that passed every rule, or says why not. */
public final class PaymentValidator implements Serializable {
  private final PaymentFormat format;
  private final long maxFutureSkewMillis;

  public PaymentValidator(PaymentFormat format, long maxFutureSkewMillis) {
    this.format = format;
    this.maxFutureSkewMillis = maxFutureSkewMillis;
  }

  /**
   * @param nowMillis the clock that bounds how far in the future an event may claim to be
   * @throws InvalidPaymentException with the dead-letter reason if the payment is not acceptable
   */
  public PaymentEvent validate(byte[] payload, long nowMillis) throws InvalidPaymentException {
    PaymentEvent payment = format.decode(payload);
    PaymentRules.check(payment, nowMillis, maxFutureSkewMillis);
    return payment;
  }
}
