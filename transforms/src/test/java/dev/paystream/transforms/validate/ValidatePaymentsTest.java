package dev.paystream.transforms.validate;

import static dev.paystream.transforms.TestPayments.T0;
import static dev.paystream.transforms.TestPayments.payment;
import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.SourceRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.Rule;
import org.junit.Test;

public class ValidatePaymentsTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final ValidatePayments.Clock FIXED_CLOCK = () -> T0 + 60_000;

  private static final PaymentEvent GOOD = payment("tx-1", "cust_1", T0, 150_000).build();

  private static SourceRecord record(long offset, byte[] payload) {
    return SourceRecord.newBuilder()
        .setPayload(ByteBuffer.wrap(payload))
        .setTopic("payments")
        .setPartition(3)
        .setOffset(offset)
        .setTimestamp(T0)
        .build();
  }

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** GOOD as JSON with one field's value replaced ({@code value} is JSON text). */
  private static String seedJson(String field, String value) {
    try {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode json = (ObjectNode) mapper.readTree(PaymentJson.encode(GOOD));
      json.set(field, mapper.readTree(value));
      return mapper.writeValueAsString(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  public void validPaymentsPassInBothFormatsAndEveryBadRecordIsDeadLetteredWithItsReason() {
    List<SourceRecord> input = new ArrayList<>();
    input.add(record(0, PaymentFormat.AVRO.encode(GOOD)));
    input.add(record(1, PaymentFormat.JSON.encode(payment("tx-2", "cust_1", T0, 99).build())));
    Map<Long, String> expectedReasons = new TreeMap<>();
    expectedReasons.put(2L, "UNPARSEABLE");
    input.add(record(2, new byte[] {1, 2, 3}));
    expectedReasons.put(3L, "UNKNOWN_SCHEMA"); // Avro magic, fingerprint of no released schema
    input.add(record(3, new byte[] {(byte) 0xC3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 42}));
    expectedReasons.put(4L, "MISSING_FIELD");
    input.add(record(4, json("{\"customer_id\":\"c\"}")));
    expectedReasons.put(5L, "INVALID_AMOUNT");
    input.add(record(5, PaymentFormat.AVRO.encode(payment("tx-5", "c", T0, 0).setTotalAmount(0).build())));
    expectedReasons.put(6L, "UNKNOWN_ENUM");
    input.add(record(6, json(seedJson("merchant_category", "\"casino\""))));
    expectedReasons.put(7L, "INVALID_TIMESTAMP");
    input.add(record(7, json(seedJson("timestamp", "\"yesterday\""))));
    expectedReasons.put(8L, "FUTURE_TIMESTAMP");
    input.add(record(8, PaymentFormat.AVRO.encode(payment("tx-8", "c", T0 + 3_600_000, 10).build())));
    expectedReasons.put(9L, "INCONSISTENT_TOTAL");
    input.add(record(9, PaymentFormat.AVRO.encode(payment("tx-9", "c", T0, 10).setTotalAmount(11).build())));
    expectedReasons.put(10L, "OUT_OF_RANGE");
    input.add(record(10, PaymentFormat.AVRO.encode(payment("tx-10", "c", T0, 10).setRiskLevel(9).build())));
    expectedReasons.put(11L, "UNPARSEABLE");
    input.add(record(11, json(seedJson("amount", "\"lots\""))));

    PCollectionTuple result =
        pipeline
            .apply(Create.of(input).withCoder(AvroCoder.of(SourceRecord.class)))
            .apply(ValidatePayments.of(PaymentFormat.AUTO).withClock(FIXED_CLOCK));

    PAssert.that(result.get(ValidatePayments.VALID))
        .containsInAnyOrder(GOOD, payment("tx-2", "cust_1", T0, 99).build());
    PCollection<DeadLetter> deadLetters = result.get(ValidatePayments.DEAD_LETTERS);
    PAssert.that(deadLetters)
        .satisfies(
            letters -> {
              Map<Long, String> reasons = new TreeMap<>();
              for (DeadLetter letter : letters) {
                reasons.put(letter.getSourceOffset(), letter.getErrorCode());
                assertEquals("payments", letter.getSourceTopic());
                assertEquals(Integer.valueOf(3), letter.getSourcePartition());
                assertEquals("validate", letter.getStage());
                assertEquals(input.get(letter.getSourceOffset().intValue()).getPayload(), letter.getPayload());
              }
              assertEquals(expectedReasons, reasons);
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void futureSkewIsConfigurable() {
    PaymentEvent tenMinutesAhead = payment("tx-f", "c", T0 + 60_000 + 600_000, 10).build();
    PCollectionTuple result =
        pipeline
            .apply(Create.of(record(0, PaymentFormat.AVRO.encode(tenMinutesAhead))).withCoder(AvroCoder.of(SourceRecord.class)))
            .apply(
                ValidatePayments.of(PaymentFormat.AVRO)
                    .withClock(FIXED_CLOCK)
                    .withMaxFutureSkew(org.joda.time.Duration.standardMinutes(15)));
    PAssert.that(result.get(ValidatePayments.VALID)).containsInAnyOrder(tenMinutesAhead);
    PAssert.that(result.get(ValidatePayments.DEAD_LETTERS)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void avroOnlyFormatRejectsJson() {
    PCollectionTuple result =
        pipeline
            .apply(Create.of(record(0, PaymentFormat.JSON.encode(GOOD))).withCoder(AvroCoder.of(SourceRecord.class)))
            .apply(ValidatePayments.of(PaymentFormat.AVRO).withClock(FIXED_CLOCK));
    PAssert.that(result.get(ValidatePayments.VALID)).empty();
    PAssert.thatSingleton(result.get(ValidatePayments.DEAD_LETTERS))
        .satisfies(
            letter -> {
              assertEquals("UNPARSEABLE", letter.getErrorCode());
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void tombstonesEmptyAndOversizedValuesAreDeadLetteredApartAndEveryLetterIsBounded() {
    SourceRecord tombstone = SourceRecord.newBuilder(record(0, new byte[0])).setPayload(null).build();
    byte[] big = new byte[1_000];
    List<SourceRecord> input = List.of(tombstone, record(1, new byte[0]), record(2, big));
    PCollectionTuple result =
        pipeline
            .apply(Create.of(input).withCoder(AvroCoder.of(SourceRecord.class)))
            .apply(ValidatePayments.of(PaymentFormat.AUTO).withClock(FIXED_CLOCK).withMaxPayloadBytes(100));
    PAssert.that(result.get(ValidatePayments.VALID)).empty();
    PAssert.that(result.get(ValidatePayments.DEAD_LETTERS))
        .satisfies(
            letters -> {
              Map<Long, DeadLetter> byOffset = new TreeMap<>();
              letters.forEach(letter -> byOffset.put(letter.getSourceOffset(), letter));
              assertEquals("TOMBSTONE", byOffset.get(0L).getErrorCode());
              assertEquals(null, byOffset.get(0L).getPayload());
              assertEquals("EMPTY_PAYLOAD", byOffset.get(1L).getErrorCode());
              assertEquals(ByteBuffer.wrap(new byte[0]), byOffset.get(1L).getPayload());
              assertEquals("OVERSIZED", byOffset.get(2L).getErrorCode());
              assertEquals(ByteBuffer.wrap(new byte[100]), byOffset.get(2L).getPayload());
              assertEquals(Integer.valueOf(1_000), byOffset.get(2L).getPayloadSize());
              return null;
            });
    pipeline.run().waitUntilFinish();
  }
}
