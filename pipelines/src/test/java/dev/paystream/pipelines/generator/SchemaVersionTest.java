package dev.paystream.pipelines.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.wire.PaymentEventWire;
import dev.paystream.schemas.wire.SchemaHistory;
import dev.paystream.transforms.validate.PaymentFormat;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/** {@code --schemaVersion}: v1, v2 and mixed producers, told apart by their schema fingerprint. */
class SchemaVersionTest {
  private static final List<Long> FINGERPRINTS =
      SchemaHistory.releasedVersions("PaymentEvent").stream().map(SchemaNormalization::parsingFingerprint64).toList();

  @Test
  void mixedProducersWriteBothVersionsOneVersionPerMerchant() throws Exception {
    Map<String, Integer> versionByMerchant = new HashMap<>();
    Set<Integer> versions = new HashSet<>();
    for (GeneratedRecord record : valid(SchemaVersion.MIXED, PaymentFormat.AVRO)) {
      int version = writerVersion(record.value());
      PaymentEvent payment = PaymentEventWire.decode(record.value());
      Integer before = versionByMerchant.put(payment.getMerchantId(), version);
      assertTrue(before == null || before == version, "merchant " + payment.getMerchantId() + " wrote two versions");
      assertEquals(version == 2, payment.getDeviceId() != null, "v2 fields exactly in v2 payments");
      versions.add(version);
    }
    assertEquals(Set.of(1, 2), versions);
  }

  @Test
  void v1ProducersWriteV1AndTheirJsonLacksV2Fields() throws Exception {
    for (GeneratedRecord record : valid(SchemaVersion.V1, PaymentFormat.AVRO)) {
      assertEquals(1, writerVersion(record.value()));
    }
    for (GeneratedRecord record : valid(SchemaVersion.V1, PaymentFormat.JSON)) {
      assertNull(PaymentFormat.JSON.decode(record.value()).getCardFingerprint());
    }
    for (GeneratedRecord record : valid(SchemaVersion.V2, PaymentFormat.JSON)) {
      PaymentEvent payment = PaymentFormat.JSON.decode(record.value());
      assertNotNull(payment.getCardFingerprint());
      assertEquals("EUR", payment.getCurrency());
    }
  }

  @Test
  void optionParsesTheLowerCaseNames() {
    assertEquals(SchemaVersion.MIXED, SchemaVersion.parse("mixed"));
    assertEquals(SchemaVersion.V1, SchemaVersion.parse("v1"));
  }

  private static List<GeneratedRecord> valid(SchemaVersion version, PaymentFormat format) {
    PaymentGenerator generator =
        PaymentGenerator.builder().seed(11).customers(50).merchants(20).startMillis(1_764_000_000_000L).format(format).schemaVersion(version)
            .malformedFraction(0).duplicateFraction(0).limit(400).build();
    List<GeneratedRecord> records = PaymentGeneratorTest.drain(generator);
    assertEquals(400, records.size());
    return records;
  }

  /** 1-based released version whose fingerprint the single-object header carries. */
  private static int writerVersion(byte[] bytes) {
    long fingerprint = 0;
    for (int i = 9; i >= 2; i--) {
      fingerprint = (fingerprint << 8) | (bytes[i] & 0xFF);
    }
    int index = FINGERPRINTS.indexOf(fingerprint);
    assertTrue(index >= 0, "unknown fingerprint in " + Arrays.toString(Arrays.copyOf(bytes, 10)));
    return index + 1;
  }
}
