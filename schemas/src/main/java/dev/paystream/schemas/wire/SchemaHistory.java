package dev.paystream.schemas.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Every released version of a record schema, kept under {@code dev/paystream/schemas/history/}
 * as {@code <Record>-v<N>.avsc}. Producers may still be writing any of them, so decoders register
 * all of them, and {@code SchemaHistoryTest} checks that each one stays compatible with the
 * current schema and that the current schema is released.
 */
public final class SchemaHistory {
  private static final String DIRECTORY = "/dev/paystream/schemas/history/";

  private SchemaHistory() {}

  /** Released versions of {@code recordName}, oldest first: v1, v2, ... up to the first gap. */
  public static List<Schema> releasedVersions(String recordName) {
    List<Schema> versions = new ArrayList<>();
    for (int version = 1; ; version++) {
      String resource = DIRECTORY + recordName + "-v" + version + ".avsc";
      try (InputStream in = SchemaHistory.class.getResourceAsStream(resource)) {
        if (in == null) {
          return versions;
        }
        versions.add(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read released schema " + resource, e);
      }
    }
  }
}
