package dev.paystream.transforms.validate;

import static dev.paystream.transforms.TestPayments.T0;
import static dev.paystream.transforms.TestPayments.payment;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.GeoLocation;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.SourceRecord;
import dev.paystream.schemas.wire.SingleObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import org.junit.Test;

/** One test per way a hostile or sloppy producer broke validation; each fails without its fix. */
public class HostileInputTest {
  private static final long NOW = T0 + 60_000;
  private static final PaymentValidator VALIDATOR = new PaymentValidator(PaymentFormat.AUTO, 300_000);
  private static final PaymentEvent GOOD = payment("tx-1", "cust_1", T0, 150_000).build();

  /** GOOD as JSON with {@code edit} spliced in before the closing brace (a later key wins in a lenient reader). */
  static String json(String edit) {
    String base = new String(PaymentJson.encode(GOOD), StandardCharsets.UTF_8);
    return base.substring(0, base.length() - 1) + edit + "}";
  }

  private static DeadLetterReason reasonFor(byte[] payload) {
    try {
      PaymentEvent accepted = VALIDATOR.validate(payload, NOW);
      fail("accepted: " + accepted);
      return null;
    } catch (InvalidPaymentException e) {
      return e.reason();
    }
  }

  private static DeadLetterReason reasonFor(String json) {
    return reasonFor(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  public void twoObjectsInOneRecordAreRejectedNotDecidedAsTheFirst() {
    String one = new String(PaymentJson.encode(GOOD), StandardCharsets.UTF_8);
    assertEquals(DeadLetterReason.UNPARSEABLE, reasonFor(one + one.replace("tx-1", "tx-2")));
    assertEquals(DeadLetterReason.UNPARSEABLE, reasonFor(one + " 42"));
  }

  @Test
  public void bytesAfterAnAvroPaymentAreRejected() {
    byte[] avro = PaymentFormat.AVRO.encode(GOOD);
    assertEquals(DeadLetterReason.UNPARSEABLE, reasonFor(Arrays.copyOf(avro, avro.length + 3)));
  }

  @Test
  public void duplicateKeysAreRejectedNotLastOneWins() {
    assertEquals(DeadLetterReason.UNPARSEABLE, reasonFor(json(",\"amount\":1")));
  }

  @Test
  public void totalsThatOverflowSixtyFourBitsAreRejected() {
    // amount + commission + vat wraps around to exactly the total claimed
    PaymentEvent wrapped =
        payment("tx-o", "c", T0, Long.MAX_VALUE).setCommissionAmount(1).setVatAmount(0)
            .setTotalAmount(Long.MIN_VALUE).build();
    assertEquals(DeadLetterReason.OUT_OF_RANGE, reasonFor(PaymentFormat.AVRO.encode(wrapped)));
  }

  @Test
  public void amountsAboveTheDocumentedMaximumAreRejected() throws InvalidPaymentException {
    PaymentEvent largest = payment("tx-max", "c", T0, PaymentRules.MAX_AMOUNT).build();
    assertEquals(largest, VALIDATOR.validate(PaymentFormat.AVRO.encode(largest), NOW));
    // Two of these would wrap a 64-bit sum of a customer's 24 hours; the total itself still fits.
    long half = Long.MAX_VALUE / 2 + 1;
    PaymentEvent huge = payment("tx-huge", "c", T0, half).setCommissionAmount(0).setVatAmount(0).setTotalAmount(half).build();
    assertEquals(DeadLetterReason.OUT_OF_RANGE, reasonFor(PaymentFormat.AVRO.encode(huge)));
    PaymentEvent justOver = payment("tx-over", "c", T0, PaymentRules.MAX_AMOUNT + 1).build();
    assertEquals(DeadLetterReason.OUT_OF_RANGE, reasonFor(PaymentFormat.AVRO.encode(justOver)));
    PaymentEvent fee = payment("tx-fee", "c", T0, 10).setCommissionAmount(PaymentRules.MAX_AMOUNT + 1).setVatAmount(0)
        .setTotalAmount(PaymentRules.MAX_AMOUNT + 11).build();
    assertEquals(DeadLetterReason.OUT_OF_RANGE, reasonFor(PaymentFormat.AVRO.encode(fee)));
  }

  @Test
  public void numericTimestampsInEpochSecondsAreRejectedNotReadAsJanuary1970() {
    String json = new String(PaymentJson.encode(GOOD), StandardCharsets.UTF_8)
        .replace("\"" + Instant.ofEpochMilli(T0) + "\"", Long.toString(T0 / 1000));
    assertEquals(DeadLetterReason.INVALID_TIMESTAMP, reasonFor(json));
    assertEquals(DeadLetterReason.INVALID_TIMESTAMP, reasonFor(json.replace(Long.toString(T0 / 1000), T0 + ".5")));
  }

  @Test
  public void implausiblyOldEventTimesAreRejected() {
    long twoYearsAgo = NOW - 2L * 366 * 86_400_000L;
    assertEquals(DeadLetterReason.STALE_TIMESTAMP,
        reasonFor(PaymentFormat.AVRO.encode(payment("tx-old", "c", twoYearsAgo, 10).build())));
    assertEquals(DeadLetterReason.STALE_TIMESTAMP,
        reasonFor(PaymentFormat.AVRO.encode(payment("tx-1970", "c", T0 / 1000, 10).build())));
    // a 30-day backfill is fine by default, and the bound is configurable
    PaymentEvent monthOld = payment("tx-m", "c", NOW - 30L * 86_400_000L, 10).build();
    try {
      assertEquals(monthOld, VALIDATOR.validate(PaymentFormat.AVRO.encode(monthOld), NOW));
      new PaymentValidator(PaymentFormat.AVRO, 300_000, 7L * 86_400_000L, 65_536)
          .validate(PaymentFormat.AVRO.encode(monthOld), NOW);
      fail("a 7-day bound accepted a 30-day-old payment");
    } catch (InvalidPaymentException e) {
      assertEquals(DeadLetterReason.STALE_TIMESTAMP, e.reason());
    }
  }

  @Test
  public void isoTimestampsWithAnOffsetOrMicrosecondsAreAccepted() throws InvalidPaymentException {
    String iso = "\"" + Instant.ofEpochMilli(T0) + "\"";
    for (String variant : new String[] {"\"2024-01-15T10:00:00+00:00\"", "\"2024-01-15T10:00:00.000123+00:00\"",
        "\"2024-01-15T12:00:00+02:00\""}) {
      String json = new String(PaymentJson.encode(GOOD), StandardCharsets.UTF_8).replace(iso, variant);
      assertEquals(variant, T0, VALIDATOR.validate(json.getBytes(StandardCharsets.UTF_8), NOW).getEventTime());
    }
    // without an offset the instant is ambiguous
    String naive = new String(PaymentJson.encode(GOOD), StandardCharsets.UTF_8).replace(iso, "\"2024-01-15T10:00:00.000123\"");
    assertEquals(DeadLetterReason.INVALID_TIMESTAMP, reasonFor(naive));
  }

  @Test
  public void payloadsLargerThanTheBoundAreRejectedUnread() {
    byte[] big = new byte[ValidatePayments.DEFAULT_MAX_PAYLOAD_BYTES + 1];
    Arrays.fill(big, (byte) ' ');
    big[0] = '{';
    assertEquals(DeadLetterReason.OVERSIZED, reasonFor(big));
  }

  @Test
  public void nestingStringAndNumberLengthsAreBounded() {
    assertEquals(DeadLetterReason.UNPARSEABLE, reasonFor(json(",\"x\":" + "[".repeat(10_000) + "]".repeat(10_000))));
    assertEquals(DeadLetterReason.UNPARSEABLE, reasonFor(json(",\"x\":\"" + "a".repeat(20_000) + "\"")));
    assertEquals(DeadLetterReason.UNPARSEABLE, reasonFor(json(",\"x\":" + "9".repeat(100))));
    assertEquals(DeadLetterReason.UNPARSEABLE, reasonFor(json(",\"x\":NaN")));
  }

  @Test
  public void everyTextThatReachesAnOutputIsBounded() {
    assertEquals(DeadLetterReason.OUT_OF_RANGE, reasonFor(json("").replace("cust_1", "c".repeat(129))));
    // PostgreSQL text refuses NUL (SQLState 22021): such an id must never reach the sink
    assertEquals(DeadLetterReason.OUT_OF_RANGE, reasonFor(json("").replace("cust_1", "cust\\u0000_1")));
    assertEquals(DeadLetterReason.OUT_OF_RANGE, reasonFor(json("").replace("tx-1", "tx\\n1")));
    assertEquals(DeadLetterReason.OUT_OF_RANGE, reasonFor(json("").replace("tx-1", "tx\\ud800")));
    assertEquals(DeadLetterReason.OUT_OF_RANGE,
        reasonFor(PaymentFormat.AVRO.encode(payment("tx-f", "c", T0, 10).setFailureReason("x".repeat(257)).build())));
    assertEquals(DeadLetterReason.OUT_OF_RANGE, reasonFor(json("").replace("\"risk_level\":2", "\"risk_level\":4294967298")));
  }

  @Test
  public void unicodeIdsAreAccepted() throws InvalidPaymentException {
    String json = json("").replace("cust_1", "客户-ü-😀");
    assertEquals("客户-ü-😀", VALIDATOR.validate(json.getBytes(StandardCharsets.UTF_8), NOW).getCustomerId());
  }

  @Test
  public void notANumberCoordinatesAreRejected() {
    PaymentEvent nan = payment("tx-n", "c", T0, 10).setLocation(new GeoLocation(Double.NaN, 0.0)).build();
    assertEquals(DeadLetterReason.OUT_OF_RANGE, reasonFor(PaymentFormat.AVRO.encode(nan)));
  }

  @Test
  public void aTombstoneAndAnEmptyValueAreToldApart() {
    assertEquals(DeadLetterReason.TOMBSTONE, reasonFor((byte[]) null));
    assertEquals(DeadLetterReason.EMPTY_PAYLOAD, reasonFor(new byte[0]));
    DeadLetter tombstone = DeadLetters.of(record(null), "validate", DeadLetterReason.TOMBSTONE, "", NOW, 100);
    DeadLetter empty = DeadLetters.of(record(new byte[0]), "validate", DeadLetterReason.EMPTY_PAYLOAD, "", NOW, 100);
    assertNull(tombstone.getPayload());
    assertEquals(ByteBuffer.wrap(new byte[0]), empty.getPayload());
    assertEquals(Integer.valueOf(0), empty.getPayloadSize());
  }

  @Test
  public void theDeadLetterOfAOneMebibyteRecordFitsItsTopic() throws Exception {
    byte[] huge = new byte[1 << 20];
    Arrays.fill(huge, (byte) 'x');
    DeadLetter letter =
        DeadLetters.of(record(huge), "validate", DeadLetterReason.OVERSIZED, "y".repeat(50_000), NOW, 65_536);
    int encoded = SingleObject.encode(letter).length;
    assertTrue("dead letter of " + encoded + " bytes", encoded <= 65_536 + DeadLetters.MAX_METADATA_BYTES);
    assertEquals(Integer.valueOf(1 << 20), letter.getPayloadSize());
    assertEquals(65_536, letter.getPayload().remaining());
    assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(huge), letter.getPayloadSha256().array());
    assertTrue(DeadLetters.truncated(letter));
    assertTrue(letter.getMessage().length() <= DeadLetters.MAX_MESSAGE_CHARS);
  }

  static SourceRecord record(byte[] payload) {
    return SourceRecord.newBuilder()
        .setPayload(payload == null ? null : ByteBuffer.wrap(payload))
        .setTopic("payments")
        .setPartition(0)
        .setOffset(7L)
        .setTimestamp(T0)
        .build();
  }
}
