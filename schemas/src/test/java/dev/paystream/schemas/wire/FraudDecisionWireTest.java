package dev.paystream.schemas.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.Decision;
import dev.paystream.schemas.FraudDecision;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/** Decisions committed by an earlier release stay readable after an upgrade. */
class FraudDecisionWireTest {
  @Test
  void everyReleasedVersionDecodesIntoTheCurrentClass() throws Exception {
    List<Schema> released = SchemaHistory.releasedVersions("FraudDecision");
    assertEquals(4, released.size(), "FraudDecision v1 (CustomerFeatures v1) to v4");
    for (int v = 1; v <= released.size(); v++) {
      FraudDecision written = decision();
      byte[] bytes = encode(written, released.get(v - 1));
      FraudDecision read = FraudDecisionWire.decode(bytes);
      assertEquals(written.getTransactionId(), read.getTransactionId(), "v" + v);
      assertEquals(written.getFeatures().getAmountZscore(), read.getFeatures().getAmountZscore(), "v" + v);
      if (v < 4) {
        // The merchant features did not exist: they read as their defaults.
        assertNull(read.getFeatures().getMerchantRiskScore(), "v" + v);
      } else {
        assertEquals(written, read);
      }
    }
  }

  @Test
  void theGeneratedDecoderAloneRefusesAnEarlierRelease() throws Exception {
    byte[] v3 = encode(decision(), SchemaHistory.releasedVersions("FraudDecision").get(2));
    // Why FraudDecisionWire exists: the class's own decoder knows only the current fingerprint.
    assertThrows(Exception.class, () -> FraudDecision.getDecoder().decode(v3));
  }

  private static byte[] encode(FraudDecision decision, Schema writer) throws Exception {
    ByteBuffer buffer = new BinaryMessageEncoder<FraudDecision>(SpecificData.getForClass(FraudDecision.class), writer).encode(decision);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  private static FraudDecision decision() {
    CustomerFeatures features = CustomerFeatures.newBuilder()
        .setCustomerId("cust-1").setTransactionId("tx-1").setEventTime(1_764_000_000_000L).setAmount(4_200)
        .setPaymentsLast5m(1).setPaymentsLast1h(2).setAmountSum24h(9_000).setHourOfDay(13).setUnusualHour(false)
        .setHistoryCount(12).setAmountMean(3_000).setAmountStddev(700).setAmountZscore(1.7)
        .setMerchantId("merch_0001").setPaymentDeclined(false).setNewMerchant(true)
        .setMerchantPayments30m(4).setMerchantRisky30m(3).setMerchantRiskScore(1 / 3.0).setAmountVsMerchant(0.8)
        .build();
    return FraudDecision.newBuilder()
        .setTransactionId("tx-1").setCustomerId("cust-1").setEventTime(1_764_000_000_000L)
        .setDecision(Decision.REVIEW).setScore(0.45).setReasons(List.of("merchant_risk")).setFeatures(features)
        .setModelVersion("rules-v3").build();
  }
}
