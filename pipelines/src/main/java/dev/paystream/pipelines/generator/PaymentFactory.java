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
  private static final City[] CITIES = City.values();
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
    PaymentMethod method =
        random.nextDouble() < PREFERRED_METHOD_SHARE
            ? customer.preferredMethod()
            : METHODS[random.nextInt(METHODS.length)];
    return PaymentEvent.newBuilder()
        .setTransactionId(transactionId)
        .setEventTime(eventTime)
        .setCustomerId(customer.id())
        .setMerchantId(merchant.id())
        .setMerchantCategory(merchant.category())
        .setPaymentMethod(method)
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
        // PaymentEvent v2's fields, derived from the customer (no random draws: the v1 stream of a
        // seed stays what it was). A v1 producer drops them (SchemaVersion.asWritten).
        .setCurrency("EUR")
        .setCardFingerprint(stableHex("card", customer.id()))
        .setDeviceId(stableHex("dev", customer.id() + customer.deviceOs()))
        .setIpAddress(ipAddress(customer.id()))
        .setChannel(channel(method))
        .build();
  }

  /** {@code payment} made in a city other than the customer's home (all are 300 km or more apart). */
  PaymentEvent elsewhere(PaymentEvent payment, CustomerProfile customer) {
    City city = CITIES[random.nextInt(CITIES.length - 1)];
    if (city == customer.home()) {
      city = CITIES[CITIES.length - 1];
    }
    return PaymentEvent.newBuilder(payment).setLocation(new GeoLocation(jitter(city.lat), jitter(city.lng))).build();
  }

  /**
   * {@code payment} keyed in by {@code merchant} (channel moto): no customer device, no payer
   * location; declined by the issuer or not, as {@code declined} says.
   */
  PaymentEvent keyedInBy(MerchantProfile merchant, PaymentEvent payment, boolean declined) {
    long commission = Fees.commission(merchant.commissionType(), payment.getAmount());
    return PaymentEvent.newBuilder(payment)
        .setMerchantId(merchant.id())
        .setMerchantCategory(merchant.category())
        .setCommissionType(merchant.commissionType())
        .setCommissionAmount(commission)
        .setTotalAmount(payment.getAmount() + commission + payment.getVatAmount())
        .setPaymentMethod(PaymentMethod.ONLINE)
        .setChannel("moto")
        .setDeviceId(null)
        .setDeviceInfo(null)
        .setLocation(null)
        .setStatus(declined ? PaymentStatus.DECLINED : PaymentStatus.APPROVED)
        .setFailureReason(declined ? FAILURE_REASONS.pick(random) : null)
        .build();
  }

  /** {@code payment} made from a device the customer never used. */
  PaymentEvent onNewDevice(PaymentEvent payment) {
    return PaymentEvent.newBuilder(payment).setDeviceId("dev_" + Long.toHexString(random.nextLong())).build();
  }

  private static String stableHex(String prefix, String of) {
    return prefix + "_" + Integer.toHexString(of.hashCode() * 0x9E3779B1);
  }

  /** A customer's usual address, in the documentation range 198.51.100.0/24 and its neighbours. */
  private static String ipAddress(String customerId) {
    int h = customerId.hashCode() * 0x85EBCA6B;
    return "198." + (51 + ((h >>> 8) & 3)) + "." + ((h >>> 16) & 255) + "." + (1 + (h & 127));
  }

  private static String channel(PaymentMethod method) {
    return switch (method) {
      case ONLINE -> "web";
      case MOBILE -> "app";
      case POS, NFC -> "pos";
    };
  }

  private double jitter(double degrees) {
    return degrees + (random.nextDouble() * 2 - 1) * LOCATION_JITTER_DEGREES;
  }
}
