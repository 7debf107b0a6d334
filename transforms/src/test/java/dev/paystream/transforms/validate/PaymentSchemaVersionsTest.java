package dev.paystream.transforms.validate;

import static dev.paystream.transforms.TestPayments.T0;
import static dev.paystream.transforms.TestPayments.payment;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.paystream.schemas.PaymentEvent;
import org.junit.Test;

/** v1 and v2 producers share a topic: both schema versions decode, in Avro and in JSON. */
public class PaymentSchemaVersionsTest {
  private static final PaymentEvent V1 = payment("tx-1", "cust_1", T0, 150_000).build();
  private static final PaymentEvent V2 =
      PaymentEvent.newBuilder(V1)
          .setCurrency("EUR")
          .setCardFingerprint("card_5f1a")
          .setDeviceId("dev_77")
          .setIpAddress("2001:db8::7")
          .setChannel("web")
          .build();

  @Test
  public void bothVersionsDecodeInBothFormats() throws Exception {
    assertEquals(V1, PaymentFormat.AUTO.decode(PaymentFormat.AVRO.encode(V2, 1)));
    assertEquals(V2, PaymentFormat.AUTO.decode(PaymentFormat.AVRO.encode(V2, 2)));
    assertEquals(V1, PaymentFormat.AUTO.decode(PaymentFormat.JSON.encode(V1)));
    assertEquals(V2, PaymentFormat.AUTO.decode(PaymentFormat.JSON.encode(V2)));
  }

  @Test
  public void v1JsonHasNoneOfV2sFields() {
    String json = new String(PaymentFormat.JSON.encode(V1), java.nio.charset.StandardCharsets.UTF_8);
    for (String field : PaymentJson.V2_FIELDS) {
      assertTrue(field + " in " + json, !json.contains("\"" + field + "\""));
    }
  }

  @Test
  public void v2TextsAreBoundedLikeEveryText() throws Exception {
    PaymentEvent hostile = PaymentEvent.newBuilder(V2).setDeviceId("dev\u0000").build();
    PaymentEvent decoded = PaymentFormat.AUTO.decode(PaymentFormat.JSON.encode(hostile));
    try {
      PaymentRules.check(decoded, T0, 60_000, Long.MAX_VALUE / 2);
      fail("a device id with NUL passed");
    } catch (InvalidPaymentException e) {
      assertEquals(DeadLetterReason.OUT_OF_RANGE, e.reason());
    }
    assertNull(PaymentFormat.AUTO.decode(PaymentFormat.AVRO.encode(V2, 1)).getDeviceId());
  }

  @Test
  public void anUnknownFingerprintIsDeadLetteredAsUnknownSchema() {
    byte[] bytes = PaymentFormat.AVRO.encode(V2);
    bytes[9] ^= 0x33;
    try {
      PaymentFormat.AUTO.decode(bytes);
      fail("decoded a payment of an unknown schema");
    } catch (InvalidPaymentException e) {
      assertEquals(DeadLetterReason.UNKNOWN_SCHEMA, e.reason());
      assertTrue(e.getMessage(), e.getMessage().contains("unknown schema fingerprint"));
    }
  }
}
