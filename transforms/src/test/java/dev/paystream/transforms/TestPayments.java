package dev.paystream.transforms;

import dev.paystream.schemas.CommissionType;
import dev.paystream.schemas.CustomerType;
import dev.paystream.schemas.MerchantCategory;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentMethod;
import dev.paystream.schemas.PaymentStatus;
import java.time.Instant;

/** Payments for tests: valid by default, with the fields a test cares about set explicitly. */
public final class TestPayments {
  /** 2024-01-15T10:00:00Z, a Monday morning. */
  public static final long T0 = Instant.parse("2024-01-15T10:00:00Z").toEpochMilli();

  private TestPayments() {}

  public static PaymentEvent.Builder payment(String transactionId, String customerId, long eventTime, long amount) {
    long commission = amount / 50;
    long vat = amount * 9 / 100;
    return PaymentEvent.newBuilder()
        .setTransactionId(transactionId)
        .setEventTime(eventTime)
        .setCustomerId(customerId)
        .setMerchantId("merch_1")
        .setMerchantCategory(MerchantCategory.RETAIL)
        .setPaymentMethod(PaymentMethod.ONLINE)
        .setAmount(amount)
        .setStatus(PaymentStatus.APPROVED)
        .setCommissionType(CommissionType.FLAT)
        .setCommissionAmount(commission)
        .setVatAmount(vat)
        .setTotalAmount(amount + commission + vat)
        .setCustomerType(CustomerType.INDIVIDUAL)
        .setRiskLevel(2);
  }

  public static PaymentEvent at(String transactionId, String customerId, long eventTime, long amount) {
    return payment(transactionId, customerId, eventTime, amount).build();
  }
}
