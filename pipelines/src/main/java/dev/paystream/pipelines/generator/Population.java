package dev.paystream.pipelines.generator;

import dev.paystream.schemas.CommissionType;
import dev.paystream.schemas.CustomerType;
import dev.paystream.schemas.MerchantCategory;
import dev.paystream.schemas.PaymentMethod;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * The customers and merchants of a run. It depends on the seed and the counts alone, so a backfill
 * and a live run with the same seed share the same people.
 */
final class Population {
  private static final int FAVOURITE_MERCHANTS = 5;
  private static final double TYPICAL_AMOUNT_SPREAD = 0.6;
  private static final long MIN_TYPICAL_AMOUNT = 10_000;

  private static final Weighted<CustomerType> CUSTOMER_TYPES =
      new Weighted<CustomerType>()
          .add(CustomerType.INDIVIDUAL, 0.80)
          .add(CustomerType.BUSINESS, 0.15)
          .add(CustomerType.CIP, 0.05);
  private static final Weighted<HabitProfile> HABITS =
      new Weighted<HabitProfile>()
          .add(HabitProfile.DAYTIME, 0.65)
          .add(HabitProfile.EVENING, 0.25)
          .add(HabitProfile.NIGHT, 0.10);
  private static final Weighted<Integer> RISK_LEVELS =
      new Weighted<Integer>().add(1, 0.45).add(2, 0.30).add(3, 0.15).add(4, 0.07).add(5, 0.03);
  private static final Weighted<City> CITIES =
      new Weighted<City>()
          .add(City.TEHRAN, 0.45)
          .add(City.MASHHAD, 0.15)
          .add(City.ISFAHAN, 0.15)
          .add(City.SHIRAZ, 0.13)
          .add(City.TABRIZ, 0.12);
  private static final Weighted<String> OPERATING_SYSTEMS =
      new Weighted<String>().add("Android", 0.62).add("iOS", 0.33).add("Web", 0.05);
  private static final Weighted<String> APP_VERSIONS =
      new Weighted<String>()
          .add("2.4.1", 0.2)
          .add("2.5.0", 0.3)
          .add("2.5.3", 0.3)
          .add("3.0.0", 0.2);
  private static final Weighted<PaymentMethod> PAYMENT_METHODS =
      new Weighted<PaymentMethod>()
          .add(PaymentMethod.MOBILE, 0.35)
          .add(PaymentMethod.POS, 0.30)
          .add(PaymentMethod.NFC, 0.20)
          .add(PaymentMethod.ONLINE, 0.15);
  private static final Weighted<MerchantCategory> CATEGORIES =
      new Weighted<MerchantCategory>()
          .add(MerchantCategory.RETAIL, 0.35)
          .add(MerchantCategory.FOOD_SERVICE, 0.30)
          .add(MerchantCategory.TRANSPORTATION, 0.15)
          .add(MerchantCategory.ENTERTAINMENT, 0.10)
          .add(MerchantCategory.GOVERNMENT, 0.10);
  private static final Weighted<CommissionType> COMMISSION_TYPES =
      new Weighted<CommissionType>()
          .add(CommissionType.FLAT, 0.50)
          .add(CommissionType.PROGRESSIVE, 0.25)
          .add(CommissionType.TIERED, 0.25);

  private final CustomerProfile[] customers;
  private final MerchantProfile[] merchants;
  private final int[][] payingAt = new int[24][];
  private final int[][] idleAt = new int[24][];

  private Population(CustomerProfile[] customers, MerchantProfile[] merchants) {
    this.customers = customers;
    this.merchants = merchants;
    for (int hour = 0; hour < 24; hour++) {
      int h = hour;
      payingAt[hour] =
          IntStream.range(0, customers.length)
              .filter(i -> customers[i].habits().paysAt(h))
              .toArray();
      idleAt[hour] =
          IntStream.range(0, customers.length)
              .filter(i -> !customers[i].habits().paysWithinAnHourOf(h))
              .toArray();
    }
  }

  /**
   * @param customerCount at least one per {@link HabitProfile}, so every hour has payers and idlers
   */
  static Population generate(long seed, int customerCount, int merchantCount) {
    if (customerCount < HabitProfile.values().length || merchantCount < 1) {
      throw new IllegalArgumentException(
          "need at least "
              + HabitProfile.values().length
              + " customers and 1 merchant, got "
              + customerCount
              + " and "
              + merchantCount);
    }
    Random random = new Random(seed);
    MerchantProfile[] merchants = new MerchantProfile[merchantCount];
    for (int i = 0; i < merchantCount; i++) {
      merchants[i] =
          new MerchantProfile(
              String.format("merch_%04d", i),
              CATEGORIES.pick(random),
              COMMISSION_TYPES.pick(random));
    }
    CustomerProfile[] customers = new CustomerProfile[customerCount];
    for (int i = 0; i < customerCount; i++) {
      // The first customers take one profile each, so even a tiny population covers every hour.
      HabitProfile habits =
          i < HabitProfile.values().length ? HabitProfile.values()[i] : HABITS.pick(random);
      CustomerType type = CUSTOMER_TYPES.pick(random);
      customers[i] =
          new CustomerProfile(
              String.format("cust_%06d", i),
              type,
              habits,
              typicalAmount(type, random),
              RISK_LEVELS.pick(random),
              CITIES.pick(random),
              OPERATING_SYSTEMS.pick(random),
              APP_VERSIONS.pick(random),
              PAYMENT_METHODS.pick(random),
              random.ints(FAVOURITE_MERCHANTS, 0, merchantCount).toArray());
    }
    return new Population(customers, merchants);
  }

  private static long typicalAmount(CustomerType type, Random random) {
    long median =
        switch (type) {
          case INDIVIDUAL -> 150_000;
          case CIP -> 500_000;
          case BUSINESS -> 800_000;
        };
    double amount = median * StrictMath.exp(TYPICAL_AMOUNT_SPREAD * random.nextGaussian());
    return Math.max(MIN_TYPICAL_AMOUNT, Math.round(amount / 1000) * 1000);
  }

  CustomerProfile customer(int index) {
    return customers[index];
  }

  /** The customer with {@code id} (as {@link CustomerProfile#id()} spells it). */
  CustomerProfile customer(String id) {
    return customers[Integer.parseInt(id.substring(id.indexOf('_') + 1))];
  }

  int merchantCount() {
    return merchants.length;
  }

  MerchantProfile merchant(int index) {
    return merchants[index];
  }

  /** Indices of the customers whose habits include {@code hour} (UTC). Never empty. */
  int[] payingAt(int hour) {
    return payingAt[hour];
  }

  /**
   * Indices of the customers who never pay at {@code hour} (UTC) nor in the hours either side of
   * it: an hour truly odd for them, not the minutes after their usual last payment. Never empty.
   */
  int[] idleAt(int hour) {
    return idleAt[hour];
  }
}
