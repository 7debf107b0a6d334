package dev.paystream.transforms.analytics.reference;

/** The exact figures of one customer session, as {@link SessionModel} computes them. */
public record ExpectedSession(
    long firstPaymentTime, long lastPaymentTime, long paymentCount, long amountSum, long distinctMerchants) {

  public long lengthMillis() {
    return lastPaymentTime - firstPaymentTime;
  }
}
