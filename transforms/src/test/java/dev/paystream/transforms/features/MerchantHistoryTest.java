package dev.paystream.transforms.features;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import dev.paystream.schemas.CustomerFeatures;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

public class MerchantHistoryTest {
  private static final long T0 = 1_764_000_000_000L;
  private static final long MINUTE = 60_000L;

  /** A payment as the customer step hands it on: its customer's z-score and the issuer's answer. */
  static CustomerFeatures payment(String id, long time, long amount, double customerZscore, boolean declined) {
    return CustomerFeatures.newBuilder()
        .setCustomerId("cust-" + id).setTransactionId(id).setEventTime(time).setAmount(amount)
        .setPaymentsLast5m(1).setPaymentsLast1h(1).setAmountSum24h(amount).setHourOfDay(12).setUnusualHour(false)
        .setHistoryCount(20).setAmountMean(amount).setAmountStddev(1).setAmountZscore(customerZscore)
        .setMerchantId("merch-1").setPaymentDeclined(declined)
        .build();
  }

  /**
   * The step changes a copy of the history it read from state, never the stored one: Flink's heap
   * backend under --fasterCopy hands out the stored object, which a checkpoint may be writing out.
   */
  @Test
  public void paymentsAddedToACopyLeaveTheOriginalAsItWas() throws Exception {
    MerchantHistory original = new MerchantHistory();
    for (int i = 0; i < 12; i++) {
      original.addPayment(payment("p" + i, T0 + i * MINUTE, 1_000 + i, i % 5 == 0 ? 3 : 0, false));
    }
    byte[] before = CoderUtils.encodeToByteArray(MerchantHistory.coder(), original);

    MerchantHistory copy = original.copy();
    copy.addPayment(payment("late", T0 + 90_000L, 7, 0, true)); // inserted in the middle
    for (int i = 0; i < MerchantHistory.MAX_RECENT + 5; i++) { // pruned at the front
      copy.addPayment(payment("q" + i, T0 + (100 + i) * MINUTE, 2_000, 0, false));
    }

    assertArrayEquals(before, CoderUtils.encodeToByteArray(MerchantHistory.coder(), original));
  }

  @Test
  public void countsTheMerchantsEarlierPaymentsOfTheLast30MinutesAndTheRiskyAmongThem() {
    MerchantHistory merchant = new MerchantHistory();
    CustomerFeatures first = merchant.addPayment(payment("a", T0, 1_000, 0.1, false));
    assertEquals(0, (int) first.getMerchantPayments30m());
    assertEquals(0.0, first.getMerchantRiskScore(), 0);
    merchant.addPayment(payment("b", T0 + MINUTE, 1_000, 2.4, false)); // unusual for its customer
    merchant.addPayment(payment("c", T0 + 2 * MINUTE, 1_000, -0.3, true)); // declined
    merchant.addPayment(payment("d", T0 + 3 * MINUTE, 1_000, 1.9, false)); // neither
    CustomerFeatures e = merchant.addPayment(payment("e", T0 + 4 * MINUTE, 1_000, 0, false));
    assertEquals(4, (int) e.getMerchantPayments30m());
    assertEquals(2, (int) e.getMerchantRisky30m());
    assertEquals(2 / 9.0, e.getMerchantRiskScore(), 1e-12);
    // 30 minutes after "a": "a" has left the window (t-30m, t), the rest is in it.
    CustomerFeatures later = merchant.addPayment(payment("f", T0 + 30 * MINUTE, 1_000, 0, false));
    assertEquals(4, (int) later.getMerchantPayments30m());
  }

  @Test
  public void aPaymentArrivingLateSeesOnlyWhatCameBeforeItInEventTime() {
    MerchantHistory merchant = new MerchantHistory();
    merchant.addPayment(payment("a", T0, 1_000, 3, true));
    merchant.addPayment(payment("c", T0 + 10 * MINUTE, 1_000, 3, true));
    CustomerFeatures late = merchant.addPayment(payment("b", T0 + 5 * MINUTE, 1_000, 0, false));
    assertEquals(1, (int) late.getMerchantPayments30m());
    assertEquals(1, (int) late.getMerchantRisky30m());
  }

  @Test
  public void aPaymentSeesAnEarlierArrivalAtTheSameEventTimeAsTheCustomerStepDoes() {
    MerchantHistory merchant = new MerchantHistory();
    merchant.addPayment(payment("a", T0, 1_000, 0, true));
    CustomerFeatures tie = merchant.addPayment(payment("b", T0, 1_000, 0, false));
    assertEquals(1, (int) tie.getMerchantPayments30m());
    assertEquals(1, (int) tie.getMerchantRisky30m());
  }

  @Test
  public void amountAgainstTheMerchantSpeaksAfterTenOrdinaryPaymentsAndIgnoresRiskyOnes() throws Exception {
    MerchantHistory merchant = new MerchantHistory();
    for (int i = 0; i < 10; i++) {
      CustomerFeatures f = merchant.addPayment(payment("p" + i, T0 + i * MINUTE, i % 2 == 0 ? 1_000 : 4_000, 0, false));
      assertNull("before 10 ordinary payments", f.getAmountVsMerchant());
      // Risky payments (a compromised run's) do not teach the merchant's typical amount.
      merchant.addPayment(payment("r" + i, T0 + i * MINUTE + 1, 1_000_000, 5, false));
    }
    merchant = CoderUtils.clone(MerchantHistory.coder(), merchant);
    // log amounts alternate ln 1000 and ln 4000: mean ln 2000, sample stddev ln 2 * sqrt(10/9).
    CustomerFeatures big = merchant.addPayment(payment("big", T0 + 11 * MINUTE, 16_000, 0, false));
    assertEquals(Math.log(8) / (Math.log(2) * Math.sqrt(10 / 9.0)), big.getAmountVsMerchant(), 1e-9);
  }

  @Test
  public void stateIsBoundedByTheNewestPayments() throws Exception {
    MerchantHistory merchant = new MerchantHistory();
    for (int i = 0; i < MerchantHistory.MAX_RECENT + 50; i++) {
      merchant.addPayment(payment("p" + i, T0 + i, 1_000, 0, false));
    }
    CustomerFeatures next = CoderUtils.clone(MerchantHistory.coder(), merchant)
        .addPayment(payment("next", T0 + 10 * MINUTE, 1_000, 0, false));
    assertEquals(MerchantHistory.MAX_RECENT, (int) next.getMerchantPayments30m());
  }
}
