package dev.paystream.pipelines.generator;

import dev.paystream.schemas.DeviceInfo;
import dev.paystream.schemas.GeoLocation;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentMethod;
import dev.paystream.schemas.PaymentStatus;
import java.util.Random;

/** Fills in a plausible payment for a customer, an instant and an amount. */
final class PaymentFactory {
  private static final double AMOUNT_SPREAD = 0.45;
  private static final long AMOUNT_STEP = 100;
  private static final double FAVOURITE_MERCHANT_SHARE = 0.8;
  private static final double PREFERRED_METHOD_SHARE = 0.7;
  private static final double DECLINE_RATE = 0.05;
  private static final double LOCATION_JITTER_DEGREES = 0.05;
  private static final PaymentMethod[] METHODS = PaymentMethod.values();
  private static final Weighted<String> FAILURE_REASONS =
      new Weighted<String>()
          .add("insufficient_funds", 0.40)
          .add("limit_exceeded", 0.20)
          .add("incorrect_pin", 0.15)
          .add("card_expired", 0.15)
          .add("issuer_unavailable", 0.10);

  private final Population population;
  private final Random random;

  PaymentFactory(Population population, Random random) {
    this.population = population;
    this.random = random;
  }

  /** An everyday amount for this customer: log-normal around their typical amount. */
  long usualAmount(CustomerProfile customer) {
    return scaledAmount(customer, StrictMath.exp(AMOUNT_SPREAD * random.nextGaussian()));
  }

  /** {@code factor} times the customer's typical amount, in whole steps, never below one step. */
  long scaledAmount(CustomerProfile customer, double factor) {
    return Math.max(
        AMOUNT_STEP, Math.round(customer.typicalAmount() * factor / AMOUNT_STEP) * AMOUNT_STEP);
  }

  PaymentEvent payment(
      CustomerProfile customer, long eventTime, long amount, String transactionId) {
    MerchantProfile merchant =
        population.merchant(
            random.nextDouble() < FAVOURITE_MERCHANT_SHARE
                ? customer
                    .favouriteMerchants()[random.nextInt(customer.favouriteMerchants().length)]
                : random.nextInt(population.merchantCount()));
    boolean declined = random.nextDouble() < DECLINE_RATE;
    long commission = Fees.commission(merchant.commissionType(), amount);
    long vat = Fees.vat(amount);
    return PaymentEvent.newBuilder()
        .setTransactionId(transactionId)
        .setEventTime(eventTime)
        .setCustomerId(customer.id())
        .setMerchantId(merchant.id())
        .setMerchantCategory(merchant.category())
        .setPaymentMethod(
            random.nextDouble() < PREFERRED_METHOD_SHARE
                ? customer.preferredMethod()
                : METHODS[random.nextInt(METHODS.length)])
        .setAmount(amount)
        .setLocation(new GeoLocation(jitter(customer.home().lat), jitter(customer.home().lng)))
        .setDeviceInfo(new DeviceInfo(customer.deviceOs(), customer.appVersion()))
        .setStatus(declined ? PaymentStatus.DECLINED : PaymentStatus.APPROVED)
        .setFailureReason(declined ? FAILURE_REASONS.pick(random) : null)
        .setCommissionType(merchant.commissionType())
        .setCommissionAmount(commission)
        .setVatAmount(vat)
        .setTotalAmount(amount + commission + vat)
        .setCustomerType(customer.type())
        .setRiskLevel(customer.riskLevel())
        .build();
  }

  private double jitter(double degrees) {
    return degrees + (random.nextDouble() * 2 - 1) * LOCATION_JITTER_DEGREES;
  }
}
