package dev.paystream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ObjectStreamClass;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;

/**
 * Every record class keeps the serialVersionUID its schema pins ({@code javaSerialVersionUID},
 * applied by {@code src/main/avro-templates/record.vm}), whatever the schema becomes. Flink
 * savepoints hold Beam coders Java-serialized, with a reference to the record class: when Avro
 * derived the UID from the schema, adding a field made the previous release's savepoints
 * unreadable ({@code InvalidClassException: local class incompatible}, ReleaseUpgradeIT). The
 * values are those of the release of 2026-11-29, the first whose savepoints users keep.
 */
class SerialVersionPinTest {
  private static final List<SpecificRecordBase> RECORDS = List.of(
      new PaymentEvent(), new CustomerFeatures(), new FraudDecision(), new DeadLetter(), new SourceRecord(),
      new PaymentStats(), new CustomerSession(), new GeoLocation(), new DeviceInfo(), new MerchantTotal(),
      new WindowPane());

  @Test
  void everyRecordClassHasTheSerialVersionItsSchemaPins() {
    for (SpecificRecordBase record : RECORDS) {
      Schema schema = record.getSchema();
      Object pinned = schema.getObjectProp("javaSerialVersionUID");
      assertTrue(pinned instanceof Number, schema.getFullName() + " pins no javaSerialVersionUID");
      assertEquals(((Number) pinned).longValue(), ObjectStreamClass.lookup(record.getClass()).getSerialVersionUID(),
          schema.getFullName());
    }
  }

  @Test
  void theRecordsChangedSinceThatReleaseKeepItsValues() {
    assertEquals(841685036647829914L, ObjectStreamClass.lookup(PaymentEvent.class).getSerialVersionUID());
    assertEquals(7383992035038044981L, ObjectStreamClass.lookup(CustomerFeatures.class).getSerialVersionUID());
    assertEquals(-54135328422675922L, ObjectStreamClass.lookup(FraudDecision.class).getSerialVersionUID());
  }
}
