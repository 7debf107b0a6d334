package dev.paystream.schemas.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.schemas.PaymentEvent;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/** Schema evolution is checked, not hoped for: every released version stays fully compatible. */
class SchemaHistoryTest {
  private final Schema current = PaymentEvent.getClassSchema();
  private final List<Schema> released = SchemaHistory.releasedVersions("PaymentEvent");

  @Test
  void currentSchemaIsReleased() {
    assertFalse(released.isEmpty(), "no released PaymentEvent schema found");
    Schema latest = released.get(released.size() - 1);
    assertEquals(
        SchemaNormalization.parsingFingerprint64(latest),
        SchemaNormalization.parsingFingerprint64(current),
        "PaymentEvent.avsc changed: copy it to history/PaymentEvent-v" + (released.size() + 1) + ".avsc");
  }

  @Test
  void everyReleasedVersionIsFullyCompatibleWithCurrent() {
    for (int i = 0; i < released.size(); i++) {
      Schema old = released.get(i);
      assertCompatible(current, old, "current reads v" + (i + 1));
      assertCompatible(old, current, "v" + (i + 1) + " reads current");
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
