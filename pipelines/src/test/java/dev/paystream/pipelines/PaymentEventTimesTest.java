package dev.paystream.pipelines;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.pipelines.generator.PaymentGenerator;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.transforms.validate.PaymentFormat;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** The payment time the readers stamp: exactly that of the payments validation accepts, in either format. */
class PaymentEventTimesTest {
  private final PaymentEventTimes eventTimes =
      PaymentEventTimes.from(PipelineOptionsFactory.create().as(PaymentIngestOptions.class));

  @Test
  void validPaymentsInEitherFormatGiveTheirOwnTimeAndEverythingElseNone() throws Exception {
    for (PaymentFormat format : List.of(PaymentFormat.JSON, PaymentFormat.AVRO)) {
      List<GeneratedRecord> records = new ArrayList<>();
      PaymentGenerator.builder()
          .format(format)
          .malformedFraction(0.2)
          .duplicateFraction(0)
          .backfill(500, System.currentTimeMillis())
          .build()
          .forEachRemaining(records::add);
      int malformed = 0;
      for (GeneratedRecord record : records) {
        if (record.kind() == Kind.MALFORMED) {
          assertNull(eventTimes.of(record.value()), record.toString());
          malformed++;
        } else {
          PaymentEvent payment = format.decode(record.value());
          assertEquals(new Instant(payment.getEventTime()), eventTimes.of(record.value()), record.toString());
        }
      }
      assertEquals(true, malformed > 50, "malformed records of every kind: " + malformed);
    }
  }

  @Test
  void aSeedProducersJsonGivesItsIsoTimestamp() {
    // The seed's example with a recent date (its own, 2024-01-15, is older than --maxEventAgeDays)
    // and Python's isoformat() microseconds.
    java.time.Instant sent = java.time.Instant.now().minus(java.time.Duration.ofDays(3)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    String json =
        "{\"transaction_id\": \"t1\", \"timestamp\": \"" + sent.toString().replace("Z", ".123456Z") + "\", \"customer_id\": \"cust_1\","
            + " \"merchant_id\": \"merch_1\", \"merchant_category\": \"retail\", \"payment_method\": \"online\","
            + " \"amount\": 150000, \"location\": {\"lat\": 35.72, \"lng\": 51.33},"
            + " \"device_info\": {\"os\": \"Android\", \"app_version\": \"2.4.1\"}, \"status\": \"approved\","
            + " \"commission_type\": \"flat\", \"commission_amount\": 3000, \"vat_amount\": 13500,"
            + " \"total_amount\": 166500, \"customer_type\": \"individual\", \"risk_level\": 2, \"failure_reason\": null}";
    assertEquals(new Instant(sent.toEpochMilli() + 123), eventTimes.of(json.getBytes(UTF_8)));
  }

  @Test
  void tombstonesAndGarbageHaveNone() {
    assertNull(eventTimes.of(null));
    assertNull(eventTimes.of(new byte[0]));
    assertNull(eventTimes.of("{".getBytes(UTF_8)));
  }
}
