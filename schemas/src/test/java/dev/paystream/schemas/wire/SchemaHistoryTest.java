package dev.paystream.schemas.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.PaymentEvent;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/**
 * Schema evolution is checked, not hoped for: every released version stays fully compatible. The
 * records: PaymentEvent and FraudDecision (on the wire) and CustomerFeatures (in versioned runner
 * state, and inside every FraudDecision: each of its versions is a FraudDecision version).
 */
class SchemaHistoryTest {
  private static final List<Schema> VERSIONED =
      List.of(PaymentEvent.getClassSchema(), CustomerFeatures.getClassSchema(), FraudDecision.getClassSchema());

  @Test
  void currentSchemaIsReleased() {
    for (Schema current : VERSIONED) {
      List<Schema> released = SchemaHistory.releasedVersions(current.getName());
      assertFalse(released.isEmpty(), "no released " + current.getName() + " schema found");
      Schema latest = released.get(released.size() - 1);
      assertEquals(
          SchemaNormalization.parsingFingerprint64(latest),
          SchemaNormalization.parsingFingerprint64(current),
          current.getName() + ".avsc changed: copy it to history/" + current.getName() + "-v" + (released.size() + 1) + ".avsc");
    }
  }

  @Test
  void everyReleasedVersionIsFullyCompatibleWithCurrent() {
    VERSIONED.forEach(SchemaHistoryTest::assertReleasedVersionsCompatible);
  }

  private static void assertReleasedVersionsCompatible(Schema current) {
    List<Schema> released = SchemaHistory.releasedVersions(current.getName());
    for (int i = 0; i < released.size(); i++) {
      Schema old = released.get(i);
      assertCompatible(current, old, current.getName() + ": current reads v" + (i + 1));
      assertCompatible(old, current, current.getName() + ": v" + (i + 1) + " reads current");
    }
  }

  private static void assertCompatible(Schema reader, Schema writer, String what) {
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    assertTrue(
        result.getType() == SchemaCompatibilityType.COMPATIBLE,
        what + ": " + result.getResult().getIncompatibilities());
  }
}
