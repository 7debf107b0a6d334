package dev.paystream.transforms.features;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.GeoLocation;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.transforms.TestPayments;

import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

public class CustomerHistoryTest {
  private static final long NOON = 12 * CustomerHistory.ONE_HOUR;

  @Test
  public void paymentsAddedToACopyLeaveTheOriginalAsItWas() throws Exception {
    CustomerHistory original = new CustomerHistory();
    for (int i = 0; i < 5; i++) {
      original.addPayment(NOON + i * 60_000L, 1_000 + i, 3);
    }
    original.addPayment(located("tx-d", NOON + 6 * 60_000L, "dev-a", 52.52, 13.405), 3);
    byte[] before = CoderUtils.encodeToByteArray(CustomerHistory.coder(), original);

    CustomerHistory copy = original.copy();
    copy.addPayment(NOON + 10 * 60_000L, 50_000, 3);
    copy.addPayment(NOON + 30_000L, 7, 3);
    // devices, places, home and merchants too (what the job's payments carry)
    copy.addPayment(located("tx-e", NOON + 8 * 60_000L, "dev-b", 40.4168, -3.7038), 3);
    copy.addPayment(
        PaymentEvent.newBuilder(located("tx-f", NOON + 9 * 60_000L, "dev-a", 48.85, 2.35)).setMerchantId("m-new").build(), 3);

    assertArrayEquals(before, CoderUtils.encodeToByteArray(CustomerHistory.coder(), original));
    // The copy went on from the original's state: 6 earlier payments, then its own.
    assertEquals(10, (long) copy.addPayment(NOON + 11 * 60_000L, 1, 3).getHistoryCount());
  }

  @Test
  public void newDeviceAndImpossibleTravelArePointInTimeAndSurviveTheStateCoder() throws Exception {
    CustomerHistory history = new CustomerHistory();
    PaymentEvent berlin = located("tx-1", NOON, "dev-a", 52.52, 13.405);
    assertNull("first device: nothing to compare with", history.addPayment(berlin, 3).getNewDevice());
    history = CoderUtils.clone(CustomerHistory.coder(), history);

    // Ten minutes later in Madrid (~1,870 km): ~11,000 km/h, from a device never seen.
    CustomerFeatures madrid = history.addPayment(located("tx-2", NOON + 600_000L, "dev-b", 40.4168, -3.7038), 3).setCustomerId("cust_1").setTransactionId("t").build();
    assertEquals(true, madrid.getNewDevice());
    assertEquals(11_200, madrid.getKmPerHourSincePrevious(), 300);

    // Out of order, before Madrid: dev-b was not seen yet at that time; the latest located payment
    // is later, so no speed rather than one computed from the future.
    CustomerFeatures late = history.addPayment(located("tx-3", NOON + 60_000L, "dev-b", 52.52, 13.405), 3).setCustomerId("cust_1").setTransactionId("t").build();
    assertEquals(true, late.getNewDevice());
    assertNull(late.getKmPerHourSincePrevious());

    // A v1 payment (no device id): no device feature.
    PaymentEvent v1 = PaymentEvent.newBuilder(located("tx-4", NOON + 700_000L, "x", 40.4168, -3.7038)).setDeviceId(null).build();
    assertNull(history.addPayment(v1, 3).getNewDevice());
  }

  @Test
  public void newMerchantIsPointInTimeAndSurvivesTheStateCoder() throws Exception {
    CustomerHistory history = new CustomerHistory();
    PaymentEvent first = TestPayments.payment("tx-1", "cust_1", NOON, 1_000).setMerchantId("m-a").build();
    CustomerFeatures firstFeatures = history.addPayment(first, 3).setCustomerId("cust_1").setTransactionId("tx-1").build();
    assertNull("a first payment: nothing to compare with", firstFeatures.getNewMerchant());
    assertEquals("m-a", firstFeatures.getMerchantId());
    assertEquals(false, firstFeatures.getPaymentDeclined());
    history = CoderUtils.clone(CustomerHistory.coder(), history);

    PaymentEvent again = TestPayments.payment("tx-2", "cust_1", NOON + 60_000L, 1_000).setMerchantId("m-a").build();
    assertEquals(false, history.addPayment(again, 3).getNewMerchant());
    PaymentEvent elsewhere = TestPayments.payment("tx-3", "cust_1", NOON + 120_000L, 1_000).setMerchantId("m-b")
        .setStatus(dev.paystream.schemas.PaymentStatus.DECLINED).build();
    CustomerFeatures declined = history.addPayment(elsewhere, 3).setCustomerId("cust_1").setTransactionId("tx-3").build();
    assertEquals(true, declined.getNewMerchant());
    assertEquals(true, declined.getPaymentDeclined());
    // Out of order, before m-b was first paid at: still new then.
    PaymentEvent earlier = TestPayments.payment("tx-4", "cust_1", NOON + 30_000L, 1_000).setMerchantId("m-b").build();
    assertEquals(true, history.addPayment(earlier, 3).getNewMerchant());
  }

  @Test
  public void knownMerchantsAreBoundedAndForgetTheLeastRecentlySeen() {
    KnownMerchants merchants = KnownMerchants.NONE.with("favourite", 0);
    for (int i = 1; i <= KnownMerchants.MAX_MERCHANTS + 5; i++) {
      merchants = merchants.with("m" + i, i).with("favourite", i);
    }
    assertEquals(KnownMerchants.MAX_MERCHANTS, merchants.size());
    assertEquals(false, merchants.newMerchant("favourite", 1_000));
    assertEquals(true, merchants.newMerchant("m1", 1_000));
  }

  @Test
  public void distanceIsFromHomeAndHomeSurvivesTheStateCoder() throws Exception {
    CustomerHistory history = new CustomerHistory();
    assertNull("no home before the first located payment", history.addPayment(located("tx-1", NOON, "dev-a", 52.52, 13.405), 3).getKmFromHome());
    history = CoderUtils.clone(CustomerHistory.coder(), history);
    // A day later in Madrid: slow, but far from home.
    CustomerFeatures madrid = history.addPayment(located("tx-2", NOON + CustomerHistory.ONE_DAY, "dev-a", 40.4168, -3.7038), 3).setCustomerId("c").setTransactionId("t").build();
    assertEquals(1_870, madrid.getKmFromHome(), 10);
    assertEquals(78, madrid.getKmPerHourSincePrevious(), 1);
    for (int i = 0; i < 8; i++) {
      history.addPayment(located("b" + i, NOON + CustomerHistory.ONE_DAY + (i + 1) * CustomerHistory.ONE_HOUR, "dev-a", 52.52, 13.405), 3);
    }
    // Back in Berlin minutes after Madrid would be fast, but it is home: home is the mean place,
    // which one payment in Madrid moved about a tenth of the way.
    CustomerFeatures back = history.addPayment(located("tx-3", NOON + 2 * CustomerHistory.ONE_DAY, "dev-a", 52.52, 13.405), 3).setCustomerId("c").setTransactionId("t").build();
    assertEquals(180, back.getKmFromHome(), 15);
  }

  @Test
  public void burstIsMeasuredAgainstTheCustomersOwnPace() {
    long t = NOON;
    CustomerHistory steady = new CustomerHistory();
    // A customer who pays every 2 minutes: their usual 2 minutes hold about one payment.
    for (int i = 0; i < 29; i++) {
      steady.addPayment(located("s" + i, t + i * 120_000L, "d", 52.5, 13.4), 3);
    }
    long now = t + 29 * 120_000L;
    CustomerFeatures usual = steady.addPayment(located("s29", now, "d", 52.5, 13.4), 3).setCustomerId("c").setTransactionId("t").build();
    assertEquals("one payment in 2 minutes, as usual", 0.0, usual.getPaymentsLast2mExcess(), 0.05);
    for (int i = 1; i <= 4; i++) {
      steady.addPayment(located("b" + i, now + i * 10_000L, "d", 52.5, 13.4), 3);
    }
    CustomerFeatures burst = steady.addPayment(located("b5", now + 50_000L, "d", 52.5, 13.4), 3).setCustomerId("c").setTransactionId("t").build();
    // 6 payments in (t-2m, t]; the 29 of (t-1h, t-2m] predict 29 * 2/58 = 1.
    assertEquals(5.0, burst.getPaymentsLast2mExcess(), 1e-9);

    CustomerHistory rare = new CustomerHistory();
    CustomerFeatures first = rare.addPayment(located("r1", t, "d", 52.5, 13.4), 3).setCustomerId("c").setTransactionId("t").build();
    assertEquals("a customer's first payment is one more than nothing", 1.0, first.getPaymentsLast2mExcess(), 0);
  }

  @Test
  public void aFraudOutsideTheProfileDoesNotBecomePartOfIt() {
    CustomerHistory history = new CustomerHistory();
    for (int i = 0; i < 12; i++) {
      // noon and 13:00 UTC on consecutive days, 1,000 or 1,200
      history.addPayment(amount("p" + i, NOON + i * CustomerHistory.ONE_DAY + (i % 2) * CustomerHistory.ONE_HOUR, 1_000 + 200 * (i % 2)), 10);
    }
    long later = NOON + 12 * CustomerHistory.ONE_DAY;
    CustomerFeatures large = history.addPayment(amount("large", later, 50_000), 10).setCustomerId("c").setTransactionId("t").build();
    assertEquals(12L, (long) large.getHistoryCount());
    // At 02:00 UTC, 10 hours from any hour paid at: a fraudster's night.
    CustomerFeatures night = history.addPayment(amount("night", later + 14 * CustomerHistory.ONE_HOUR, 1_100), 10).setCustomerId("c").setTransactionId("t").build();
    assertEquals(10, (int) night.getHoursFromUsual());

    CustomerFeatures next = history.addPayment(amount("next", later + 15 * CustomerHistory.ONE_HOUR, 1_100), 10).setCustomerId("c").setTransactionId("t").build();
    assertEquals("the large amount is not in the statistics", 1_100.0, next.getAmountMean(), 0.5);
    assertEquals(13L, (long) next.getHistoryCount());
    assertEquals("the night is no habit after one fraud", 9, (int) next.getHoursFromUsual());
  }

  private static PaymentEvent amount(String id, long time, long amount) {
    return TestPayments.payment(id, "cust_1", time, amount).setLocation(new GeoLocation(52.52, 13.405)).setDeviceId("dev-a").build();
  }

  private static PaymentEvent located(String id, long time, String device, double lat, double lng) {
    return TestPayments.payment(id, "cust_1", time, 1_000).setLocation(new GeoLocation(lat, lng)).setDeviceId(device).build();
  }
}
