package dev.paystream.transforms.analytics.reference;

import dev.paystream.schemas.CustomerSession;

/** The exact figures of one customer session, as {@link SessionModel} computes them. */
public record ExpectedSession(
    long firstPaymentTime, long lastPaymentTime, long paymentCount, long amountSum, long distinctMerchants) {

  /** The figures of a pipeline's session result, to compare with a model's. */
  public static ExpectedSession of(CustomerSession session) {
    return new ExpectedSession(
        session.getFirstPaymentTime(),
        session.getLastPaymentTime(),
        session.getPaymentCount(),
        session.getAmountSum(),
        session.getDistinctMerchants());
  }

  public long lengthMillis() {
    return lastPaymentTime - firstPaymentTime;
  }
}
