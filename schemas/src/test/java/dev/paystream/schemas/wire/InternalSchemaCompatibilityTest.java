package dev.paystream.schemas.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.SourceRecord;
import java.io.IOException;
import java.io.InputStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * SourceRecord and DeadLetter are not released payment schemas, but dead letters are kept on a
 * topic and read later: the current schemas must read what the first version wrote (new fields
 * optional with defaults, a payload that may now be null).
 */
class InternalSchemaCompatibilityTest {
  @Test
  void currentDeadLetterReadsTheFirstVersion() throws IOException {
    assertReads(DeadLetter.getClassSchema(), firstVersion("DeadLetter"));
  }

  @Test
  void currentSourceRecordReadsTheFirstVersion() throws IOException {
    assertReads(SourceRecord.getClassSchema(), firstVersion("SourceRecord"));
  }

  private static Schema firstVersion(String name) throws IOException {
    try (InputStream in = InternalSchemaCompatibilityTest.class.getResourceAsStream(
        "/dev/paystream/schemas/internal/" + name + "-v1.avsc")) {
      return new Schema.Parser().parse(in);
    }
  }

  private static void assertReads(Schema reader, Schema writer) {
    SchemaCompatibility.SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    assertEquals(SchemaCompatibilityType.COMPATIBLE, result.getType(), result.getResult().getIncompatibilities().toString());
  }
}
