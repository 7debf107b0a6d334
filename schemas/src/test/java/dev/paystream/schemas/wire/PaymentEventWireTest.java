package dev.paystream.schemas.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.schemas.CommissionType;
import dev.paystream.schemas.CustomerType;
import dev.paystream.schemas.MerchantCategory;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentMethod;
import dev.paystream.schemas.PaymentStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class PaymentEventWireTest {
  static PaymentEvent payment() {
    return PaymentEvent.newBuilder()
        .setTransactionId("tx-1")
        .setEventTime(1_700_000_000_000L)
        .setCustomerId("cust_1")
        .setMerchantId("merch_1")
        .setMerchantCategory(MerchantCategory.RETAIL)
        .setPaymentMethod(PaymentMethod.ONLINE)
        .setAmount(150_000)
        .setStatus(PaymentStatus.APPROVED)
        .setCommissionType(CommissionType.FLAT)
        .setCommissionAmount(3_000)
        .setVatAmount(13_500)
        .setTotalAmount(166_500)
        .setCustomerType(CustomerType.INDIVIDUAL)
        .setRiskLevel(2)
        .build();
  }

  @Test
  void roundTripsAndStartsWithMagic() throws IOException {
    byte[] bytes = PaymentEventWire.encode(payment());
    assertTrue(PaymentEventWire.looksLikeAvro(bytes));
    assertEquals(payment(), PaymentEventWire.decode(bytes));
  }

  @Test
  void decodesAPaymentWrittenWithTheFirstReleasedSchema() throws IOException {
    Schema v1 = SchemaHistory.releasedVersions("PaymentEvent").get(0);
    GenericRecord record = new GenericData.Record(v1);
    for (Schema.Field field : v1.getFields()) {
      record.put(field.name(), payment().get(field.name()) instanceof Enum<?> e
          ? new GenericData.EnumSymbol(field.schema(), e.name())
          : payment().get(field.name()));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(record, out);
    assertEquals(payment(), PaymentEventWire.decode(out.toByteArray()));
  }

  @Test
  void rejectsBytesThatAreNotAPayment() {
    byte[] json = "{\"transaction_id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
    assertFalse(PaymentEventWire.looksLikeAvro(json));
    assertThrows(IOException.class, () -> PaymentEventWire.decode(json));
    byte[] truncated = PaymentEventWire.encode(payment());
    byte[] cut = java.util.Arrays.copyOf(truncated, 14);
    assertThrows(Exception.class, () -> PaymentEventWire.decode(cut));
    assertArrayEquals(PaymentEventWire.MAGIC, java.util.Arrays.copyOf(truncated, 2));
  }

  @Test
  void bytesAfterTheRecordAreAnErrorNotIgnored() {
    byte[] one = PaymentEventWire.encode(payment());
    byte[] withTrailer = java.util.Arrays.copyOf(one, one.length + 1);
    IOException e = assertThrows(IOException.class, () -> PaymentEventWire.decode(withTrailer));
    assertTrue(e.getMessage().contains("after the end"), e.getMessage());
  }

  @Test
  void aLengthClaimingMoreThanTheInputIsRejectedBeforeAnythingIsAllocated() {
    byte[] valid = PaymentEventWire.encode(payment());
    // header (10 bytes), then the transaction id's length: zig-zag varint of 2^31 - 1
    byte[] hostile = java.util.Arrays.copyOf(valid, 10 + 5);
    byte[] hugeLength = {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
    System.arraycopy(hugeLength, 0, hostile, 10, 5);
    IOException e = assertThrows(IOException.class, () -> PaymentEventWire.decode(hostile));
    assertTrue(e.getMessage().contains("length of 2147483647"), e.getMessage());
  }

  /** PaymentEvent v2: what a v2 producer adds to a v1 payment. */
  static PaymentEvent v2Payment() {
    return PaymentEvent.newBuilder(payment())
        .setCurrency("EUR")
        .setCardFingerprint("card_5f1a")
        .setDeviceId("dev_77")
        .setIpAddress("198.51.100.7")
        .setChannel("app")
        .build();
  }

  @Test
  void v1AndV2ProducersAreBothReadOnOneTopic() throws IOException {
    byte[] v1 = PaymentEventWire.encode(v2Payment(), 1);
    byte[] v2 = PaymentEventWire.encode(v2Payment(), 2);
    // Each names its own writer schema: the v1 bytes have no room for v2's fields.
    assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOf(v1, 10), java.util.Arrays.copyOf(v2, 10)));
    assertEquals(payment(), PaymentEventWire.decode(v1), "v1: v2's fields read as their defaults (null)");
    assertEquals(v2Payment(), PaymentEventWire.decode(v2), "v2: every field");
    assertArrayEquals(PaymentEventWire.encode(v2Payment()), v2, "the current schema is v2");
  }

  @Test
  void anUnreleasedVersionCannotBeWritten() {
    assertThrows(IllegalArgumentException.class, () -> PaymentEventWire.encode(payment(), 3));
  }

  @Test
  void anUnknownFingerprintSaysSo() {
    byte[] bytes = PaymentEventWire.encode(payment());
    bytes[5] ^= 0x5A; // a fingerprint no released schema has: a producer ahead of this consumer
    PaymentEventWire.UnknownSchemaException e =
        assertThrows(PaymentEventWire.UnknownSchemaException.class, () -> PaymentEventWire.decode(bytes));
    assertTrue(e.getMessage().contains("unknown schema fingerprint"), e.getMessage());
  }
}
