package dev.paystream.pipelines.generator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentStatus;
import dev.paystream.transforms.validate.DeadLetterReason;
import dev.paystream.transforms.validate.InvalidPaymentException;
import dev.paystream.transforms.validate.PaymentFormat;
import dev.paystream.transforms.validate.PaymentValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PaymentGeneratorTest {
  private static final PaymentValidator VALIDATOR =
      new PaymentValidator(PaymentFormat.AUTO, 300_000);
  private static final long SIX_AM = Instant.parse("2025-03-10T06:00:00Z").toEpochMilli();
  private static final int SAMPLE_SIZE = 60_000;

  /** Most of a day (06:00 to about 03:00 UTC), so every habit and pattern shows up. */
  private static List<GeneratedRecord> sample;

  private static GeneratorStats sampleStats;

  @BeforeAll
  static void generateSample() {
    PaymentGenerator generator = busyDay().limit(SAMPLE_SIZE).build();
    sample = drain(generator);
    sampleStats = generator.stats();
  }

  private static PaymentGenerator.Builder busyDay() {
    return PaymentGenerator.builder()
        .seed(7)
        .customers(300)
        .merchants(40)
        .eventsPerSecond(0.5)
        .startMillis(SIX_AM)
        .fraudFraction(0.05)
        .duplicateFraction(0.03)
        .malformedFraction(0.04);
  }

  static List<GeneratedRecord> drain(PaymentGenerator generator) {
    List<GeneratedRecord> records = new ArrayList<>();
    generator.forEachRemaining(records::add);
    return records;
  }

  private static PaymentEvent decode(GeneratedRecord record) {
    try {
      return PaymentFormat.AUTO.decode(record.value());
    } catch (InvalidPaymentException e) {
      throw new AssertionError(record + " does not decode", e);
    }
  }

  @Test
  void sameSeedGivesTheSameRecords() {
    List<GeneratedRecord> first = drain(busyDay().limit(3_000).build());
    assertEquals(first, drain(busyDay().limit(3_000).build()));
    assertNotEquals(first, drain(busyDay().seed(8).limit(3_000).build()));
  }

  @Test
  void generatesExactlyTheLimit() {
    assertEquals(SAMPLE_SIZE, sample.size());
    assertEquals(SAMPLE_SIZE, sampleStats.total());
  }

  @Test
  void statsCountEveryRecordByKindReasonAndPattern() {
    GeneratorStats recount = new GeneratorStats();
    sample.forEach(recount::add);
    assertEquals(recount, sampleStats);
    for (Kind kind : Kind.values()) {
      assertEquals(
          sample.stream().filter(r -> r.kind() == kind).count(),
          sampleStats.count(kind),
          kind.name());
    }
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      assertEquals(
          sample.stream().filter(r -> r.expectedReason() == reason).count(),
          sampleStats.count(reason),
          reason.name());
    }
    for (FraudPattern pattern : FraudPattern.values()) {
      assertEquals(
          sample.stream().filter(r -> pattern.name().equals(r.fraudPattern())).count(),
          sampleStats.count(pattern),
          pattern.name());
    }
  }

  @Test
  void kindsAndFraudComeInTheConfiguredProportions() {
    double total = sampleStats.total();
    assertEquals(0.03, sampleStats.count(Kind.DUPLICATE) / total, 0.004);
    assertEquals(0.04, sampleStats.count(Kind.MALFORMED) / total, 0.004);
    double fraud =
        sampleStats.byPattern().values().stream().mapToLong(Long::longValue).sum() / total;
    assertEquals(0.05, fraud, 0.008);
    for (FraudPattern pattern : FraudPattern.values()) {
      assertTrue(sampleStats.count(pattern) > 20, pattern + " is barely injected: " + sampleStats);
    }
    // every corruption the generator knows, and so every reason but none
    Set<DeadLetterReason> reasons = EnumSet.noneOf(DeadLetterReason.class);
    for (Corruption corruption : Corruption.values()) {
      reasons.add(corruption.reason);
    }
    assertEquals(reasons, sampleStats.byReason().keySet());
  }

  @Test
  void validAndDuplicateRecordsPassValidation() throws InvalidPaymentException {
    for (GeneratedRecord record : sample) {
      if (record.kind() != Kind.MALFORMED) {
        PaymentEvent payment = VALIDATOR.validate(record.value(), record.timestampMillis());
        assertEquals(record.transactionId(), payment.getTransactionId());
        assertEquals(record.key(), payment.getCustomerId());
        assertEquals(record.timestampMillis(), payment.getEventTime());
      }
    }
  }

  @Test
  void malformedRecordsFailWithExactlyTheirExpectedReason() {
    for (GeneratedRecord record : sample) {
      if (record.kind() == Kind.MALFORMED) {
        InvalidPaymentException rejection =
            assertThrows(
                InvalidPaymentException.class,
                () -> VALIDATOR.validate(record.value(), record.timestampMillis()),
                record::toString);
        assertEquals(
            record.expectedReason(),
            rejection.reason(),
            () -> record + ": " + rejection.getMessage());
      }
    }
  }

  @Test
  void duplicatesRepeatARecentValidRecord() {
    Map<String, Integer> validPosition = new HashMap<>();
    int duplicates = 0;
    for (int i = 0; i < sample.size(); i++) {
      GeneratedRecord record = sample.get(i);
      if (record.kind() == Kind.VALID) {
        validPosition.put(record.transactionId(), i);
      } else if (record.kind() == Kind.DUPLICATE) {
        duplicates++;
        Integer position = validPosition.get(record.transactionId());
        assertNotNull(position, () -> record + " duplicates no earlier valid record");
        GeneratedRecord original = sample.get(position);
        assertArrayEquals(original.value(), record.value());
        assertEquals(original.key(), record.key());
        assertEquals(original.timestampMillis(), record.timestampMillis());
        assertTrue(
            i - position <= 300, "duplicate " + (i - position) + " records after its original");
      }
    }
    assertTrue(duplicates > 0);
  }

  @Test
  void duplicatesAreRedeliveredSoonInEventTimeEvenWhenTrafficIsSparse() {
    // One record every ~10 minutes: 200 records back would be more than a day old.
    List<GeneratedRecord> sparse = drain(busyDay().eventsPerSecond(1 / 600.0).limit(3_000).build());
    GeneratedRecord latestValid = null;
    long latestTime = Long.MIN_VALUE;
    int duplicates = 0;
    for (GeneratedRecord record : sparse) {
      if (record.kind() == Kind.DUPLICATE) {
        duplicates++;
        long delay = latestTime - record.timestampMillis();
        assertTrue(
            delay <= PaymentGenerator.MAX_REDELIVERY_DELAY.toMillis()
                || record.transactionId().equals(latestValid.transactionId()),
            () -> record + " redelivered " + delay + " ms after its original");
        continue;
      }
      latestTime = Math.max(latestTime, record.timestampMillis());
      if (record.kind() == Kind.VALID) {
        latestValid = record;
      }
    }
    assertTrue(duplicates > 50, "duplicates: " + duplicates);
  }

  @Test
  void validTransactionIdsAreDistinct() {
    List<String> ids =
        sample.stream()
            .filter(r -> r.kind() == Kind.VALID)
            .map(GeneratedRecord::transactionId)
            .toList();
    assertEquals(ids.size(), new HashSet<>(ids).size());
  }

  @Test
  void timestampsNeverGoBackExceptForDuplicates() {
    long previous = Long.MIN_VALUE;
    for (GeneratedRecord record : sample) {
      if (record.kind() != Kind.DUPLICATE) {
        assertTrue(record.timestampMillis() >= previous, record + " goes back in time");
        previous = record.timestampMillis();
      }
    }
  }

  @Test
  void paymentsAddUpAndLookReal() {
    int declined = 0;
    int valid = 0;
    for (GeneratedRecord record : sample) {
      if (record.kind() != Kind.VALID) {
        continue;
      }
      valid++;
      PaymentEvent payment = decode(record);
      assertTrue(payment.getAmount() > 0);
      assertEquals(payment.getAmount() * 9 / 100, payment.getVatAmount());
      assertEquals(
          payment.getAmount() + payment.getCommissionAmount() + payment.getVatAmount(),
          payment.getTotalAmount());
      assertTrue(payment.getRiskLevel() >= 1 && payment.getRiskLevel() <= 5);
      if (FraudPattern.COMPROMISED_MERCHANT.name().equals(record.fraudPattern())) {
        // Keyed in by the merchant: no payer location, no customer device.
        assertNull(payment.getLocation());
        assertNull(payment.getDeviceInfo());
      } else {
        assertNotNull(payment.getLocation());
        assertNotNull(payment.getDeviceInfo());
      }
      if (payment.getStatus() == PaymentStatus.DECLINED) {
        declined++;
        assertNotNull(payment.getFailureReason());
      } else {
        assertNull(payment.getFailureReason());
      }
    }
    assertEquals(0.05, declined / (double) valid, 0.01);
  }

  @Test
  void busierDuringPeakHours() {
    Map<Boolean, Long> byPeak =
        sample.stream()
            .filter(r -> r.kind() == Kind.VALID)
            .collect(
                Collectors.partitioningBy(
                    r -> ArrivalTimeline.isPeak(r.timestampMillis()), Collectors.counting()));
    // 9 peak hours at 2.5x against about 12 off-peak hours in the sample
    assertTrue(byPeak.get(true) > byPeak.get(false), byPeak::toString);
  }

  @Test
  void burstsPutAtLeastSixPaymentsOfOneCustomerWithinTwoMinutes() {
    Map<String, List<Long>> burstTimes =
        sample.stream()
            .filter(r -> FraudPattern.BURST.name().equals(r.fraudPattern()))
            .collect(
                Collectors.groupingBy(
                    GeneratedRecord::key,
                    Collectors.mapping(GeneratedRecord::timestampMillis, Collectors.toList())));
    assertFalse(burstTimes.isEmpty());
    burstTimes.forEach(
        (customer, times) -> {
          for (long time : times) {
            boolean inABurst =
                times.stream()
                    .filter(start -> start <= time && time - start <= 120_000)
                    .anyMatch(
                        start ->
                            times.stream().filter(t -> t >= start && t - start <= 120_000).count()
                                >= 6);
            assertTrue(
                inABurst, customer + " has a lone BURST payment at " + Instant.ofEpochMilli(time));
          }
        });
  }

  /**
   * A compromised merchant's run is whole or not there: never a stub of a few payments, which no
   * detector could tell from a merchant's ordinary trade. The sample and two backfills with 7.5%
   * fraud start without history (one has the density at which the previous generator made stubs of
   * 1 to 3 payments early on: 150 customers over 7 days), so runs scheduled early must wait for
   * customers with history; each run, counted as the detection report counts incidents (one
   * merchant's run payments within {@link FraudPattern#MERCHANT_RUN_WINDOW} of the first), has at
   * least {@link FraudPattern#MERCHANT_RUN_MIN_PAYMENTS} payments, and no more than {@link
   * FraudPattern#MERCHANT_RUN_MAX_PAYMENTS}: runs at one merchant do not overlap, so one incident is
   * one run.
   */
  @Test
  void compromisedMerchantRunsAreNeverStubs() {
    long midnight = Instant.parse("2025-03-10T00:00:00Z").toEpochMilli();
    List<List<GeneratedRecord>> runs = new ArrayList<>(merchantRuns(sample));
    record Shape(int customers, double days, long seed) {}
    for (Shape shape : List.of(new Shape(150, 7, 7), new Shape(120, 30, 42), new Shape(60, 0.5, 7))) {
      runs.addAll(merchantRuns(drain(PaymentGenerator.builder()
          .seed(shape.seed())
          .customers(shape.customers())
          .fraudFraction(0.075)
          .eventsPerSecond(4_000 / (shape.days() * 86_400))
          .backfill(4_000, midnight)
          .build())));
    }
    assertTrue(runs.size() > 40, runs.size() + " runs");
    for (List<GeneratedRecord> run : runs) {
      assertTrue(
          run.size() >= FraudPattern.MERCHANT_RUN_MIN_PAYMENTS && run.size() <= FraudPattern.MERCHANT_RUN_MAX_PAYMENTS,
          () -> "a run of " + run.size() + " payments at " + Instant.ofEpochMilli(run.get(0).timestampMillis()));
    }
  }

  /** Each merchant's COMPROMISED_MERCHANT payments, cut into runs of {@link FraudPattern#MERCHANT_RUN_WINDOW}. */
  private static List<List<GeneratedRecord>> merchantRuns(List<GeneratedRecord> records) {
    Map<String, List<GeneratedRecord>> byMerchant = new HashMap<>();
    records.stream()
        .filter(r -> FraudPattern.COMPROMISED_MERCHANT.name().equals(r.fraudPattern()))
        .forEach(r -> byMerchant.computeIfAbsent(decode(r).getMerchantId(), m -> new ArrayList<>()).add(r));
    List<List<GeneratedRecord>> runs = new ArrayList<>();
    for (List<GeneratedRecord> payments : byMerchant.values()) {
      List<GeneratedRecord> run = null;
      for (GeneratedRecord payment : payments) {
        if (run == null
            || payment.timestampMillis() - run.get(0).timestampMillis() > FraudPattern.MERCHANT_RUN_WINDOW.toMillis()) {
          run = new ArrayList<>();
          runs.add(run);
        }
        run.add(payment);
      }
    }
    return runs;
  }

  @Test
  void largePaymentsDwarfTheCustomersEarlierOnes() {
    Map<String, List<Long>> earlierAmounts = new HashMap<>();
    int checked = 0;
    for (GeneratedRecord record : sample) {
      if (record.kind() != Kind.VALID) {
        continue;
      }
      long amount = decode(record).getAmount();
      List<Long> earlier = earlierAmounts.computeIfAbsent(record.key(), k -> new ArrayList<>());
      if (FraudPattern.LARGE_AFTER_SMALL.name().equals(record.fraudPattern())) {
        checked++;
        assertTrue(earlier.size() >= FraudPattern.MIN_HISTORY, record + " has too little history");
        List<Long> sorted = earlier.stream().sorted().toList();
        long median = sorted.get(sorted.size() / 2);
        assertTrue(amount >= 10 * median, record + ": " + amount + " vs a median of " + median);
      } else {
        earlier.add(amount);
      }
    }
    assertTrue(checked > 0);
  }

  @Test
  void customersPayAtTheirHabitualHoursExceptInOddHourFraud() {
    Map<String, Set<Integer>> habitualHours = new HashMap<>();
    List<GeneratedRecord> oddHour = new ArrayList<>();
    for (GeneratedRecord record : sample) {
      if (record.kind() != Kind.VALID) {
        continue;
      }
      if (FraudPattern.ODD_HOUR.name().equals(record.fraudPattern())) {
        oddHour.add(record);
      } else {
        habitualHours
            .computeIfAbsent(record.key(), k -> new HashSet<>())
            .add(ArrivalTimeline.hourOfDay(record.timestampMillis()));
      }
    }
    assertFalse(oddHour.isEmpty());
    for (GeneratedRecord record : oddHour) {
      Set<Integer> hours = habitualHours.get(record.key());
      assertTrue(hours.size() >= 3, record + " is by a customer with hardly any habits");
      assertFalse(
          hours.contains(ArrivalTimeline.hourOfDay(record.timestampMillis())),
          () -> record + " is at a habitual hour " + hours);
    }
  }

  @Test
  void aRunThatKnowsTheCustomersHistoryInjectsHistoryFraudFromTheStart() {
    PaymentGenerator backfill = busyDay().limit(20_000).build();
    drain(backfill);
    // at noon, when most customers pay: too many for many to reach MIN_HISTORY in 300 records
    long nextNoon = SIX_AM + Duration.ofHours(30).toMillis();
    PaymentGenerator.Builder live = busyDay().startMillis(nextNoon).fraudFraction(0.3).limit(300);

    PaymentGenerator fresh = live.build();
    drain(fresh);
    PaymentGenerator informed = live.customerHistory(backfill.customerHistory()).build();
    drain(informed);

    long withoutHistory = historyFraud(fresh.stats());
    long withHistory = historyFraud(informed.stats());
    // without it, only customers who happened to burst have enough history
    assertTrue(
        withHistory > 10 && withoutHistory < withHistory / 3,
        withoutHistory + " vs " + withHistory);
    assertEquals(
        backfill.customerHistory().values().stream().mapToInt(Integer::intValue).sum()
            + informed.stats().count(Kind.VALID),
        informed.customerHistory().values().stream().mapToInt(Integer::intValue).sum());
  }

  @Test
  void jsonFormatWritesJsonAndAvroFormatWritesAvro() {
    for (PaymentFormat format : List.of(PaymentFormat.AVRO, PaymentFormat.JSON)) {
      drain(busyDay().format(format).limit(500).build()).stream()
          .filter(r -> r.kind() == Kind.VALID)
          .forEach(
              r -> {
                assertEquals(format == PaymentFormat.JSON ? '{' : (byte) 0xC3, r.value()[0]);
                assertEquals(r.transactionId(), decode(r).getTransactionId());
              });
    }
  }

  @Test
  void rejectsContradictoryConfiguration() {
    assertThrows(
        IllegalArgumentException.class,
        () -> PaymentGenerator.builder().format(PaymentFormat.AUTO));
    assertThrows(IllegalStateException.class, () -> PaymentGenerator.builder().build());
    assertThrows(
        IllegalStateException.class,
        () -> PaymentGenerator.builder().startMillis(0).backfill(10, 0).build());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            PaymentGenerator.builder()
                .startMillis(0)
                .duplicateFraction(0.5)
                .malformedFraction(0.5)
                .build());
    assertThrows(
        IllegalArgumentException.class,
        () -> PaymentGenerator.builder().startMillis(0).customers(2).build());
  }

  /** The patterns that need a customer with history. */
  private static long historyFraud(GeneratorStats stats) {
    return stats.count(FraudPattern.LARGE_AFTER_SMALL)
        + stats.count(FraudPattern.ODD_HOUR)
        + stats.count(FraudPattern.ACCOUNT_TAKEOVER)
        + stats.count(FraudPattern.COMPROMISED_MERCHANT);
  }
}
