package dev.paystream.pipelines.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.transforms.validate.InvalidPaymentException;
import dev.paystream.transforms.validate.PaymentFormat;
import dev.paystream.transforms.validate.PaymentValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackfillTest {
  private static final PaymentValidator VALIDATOR =
      new PaymentValidator(PaymentFormat.AUTO, 300_000);

  /** Small and large counts, off-peak and peak endings, one ending just after the peak hours. */
  @ParameterizedTest(name = "{0} records ending {1}")
  @CsvSource({
    "1, 2025-03-10T03:00:00Z",
    "7, 2025-03-10T12:00:00Z",
    "10000, 2025-03-10T18:01:30Z",
    "10000, 2025-03-10T09:00:00Z",
  })
  void endsShortlyBeforeNowWithValidRecordsThatPassAtNow(long count, String now)
      throws InvalidPaymentException {
    long nowMillis = Instant.parse(now).toEpochMilli();
    PaymentGenerator generator =
        PaymentGenerator.builder()
            .seed(count)
            .customers(200)
            .eventsPerSecond(5)
            .fraudFraction(0.05)
            .duplicateFraction(0.03)
            .malformedFraction(0.05)
            .backfill(count, nowMillis)
            .build();
    List<GeneratedRecord> records = PaymentGeneratorTest.drain(generator);

    assertEquals(count, records.size());
    assertEquals(count, generator.stats().total());
    long latest = records.stream().mapToLong(GeneratedRecord::timestampMillis).max().orElseThrow();
    assertTrue(
        latest <= nowMillis - PaymentGenerator.BACKFILL_END_GAP.toMillis(),
        "ends at " + Instant.ofEpochMilli(latest));
    assertTrue(
        latest >= nowMillis - Duration.ofMinutes(2).toMillis(),
        "ends at " + Instant.ofEpochMilli(latest));
    assertTrue(generator.startMillis() < records.get(0).timestampMillis());
    for (GeneratedRecord record : records) {
      if (record.kind() == Kind.MALFORMED) {
        // whatever their payload says, far-future records included
        assertTrue(record.timestampMillis() <= nowMillis);
        InvalidPaymentException rejection =
            assertThrows(
                InvalidPaymentException.class, () -> VALIDATOR.validate(record.value(), nowMillis));
        assertEquals(record.expectedReason(), rejection.reason(), record::toString);
      } else {
        VALIDATOR.validate(record.value(), nowMillis);
      }
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"1", "2", "3", "4", "5"})
  void theLastArrivalLandsWhereThePlanSaid(long seed) {
    long nowMillis = Instant.parse("2025-03-10T17:59:59Z").toEpochMilli();
    PaymentGenerator generator =
        PaymentGenerator.builder().seed(seed).backfill(5_000, nowMillis).build();
    long plannedLastArrival =
        nowMillis
            - PaymentGenerator.BACKFILL_END_GAP.toMillis()
            - FraudPattern.BURST_WINDOW.toMillis();
    // Exact up to rounding, unless the last arrival was a duplicate (an old timestamp); then the
    // one before it is a fraction of a second earlier.
    assertTrue(
        PaymentGeneratorTest.drain(generator).stream()
            .filter(r -> r.kind() != Kind.DUPLICATE)
            .anyMatch(
                r ->
                    r.timestampMillis() <= plannedLastArrival
                        && r.timestampMillis() > plannedLastArrival - 1_000),
        "nothing near " + Instant.ofEpochMilli(plannedLastArrival));
  }

  @ParameterizedTest(name = "now {0}")
  @CsvSource({"1700000000000", "1700000000001"})
  void runsWithAnotherNowGetOtherTransactionIds(long nowMillis) {
    GeneratedRecord first = PaymentGenerator.builder().backfill(10, nowMillis).build().next();
    GeneratedRecord again = PaymentGenerator.builder().backfill(10, nowMillis).build().next();
    GeneratedRecord later =
        PaymentGenerator.builder().backfill(10, nowMillis + 60_000).build().next();
    assertEquals(first, again);
    assertTrue(!first.transactionId().equals(later.transactionId()));
  }
}
