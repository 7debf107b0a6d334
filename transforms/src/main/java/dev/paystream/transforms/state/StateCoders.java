package dev.paystream.transforms.state;

import dev.paystream.schemas.wire.SchemaHistory;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * The coders of everything our stateful steps keep in, or hand to, runner state (savepoints):
 * each writes a version and reads every earlier one ({@link VersionedCoder}).
 */
public final class StateCoders {
  private StateCoders() {}

  /**
   * A generated Avro record whose every released schema ({@link SchemaHistory}) is one version: a
   * value written by a release with schema vN is read by any later release. Before versioning the
   * values were plain Avro binary of the first released schema.
   */
  public static <T extends SpecificRecord> VersionedCoder<T> avro(Class<T> type) {
    Schema current = SpecificData.getForClass(type).getSchema(type);
    List<Schema> released = SchemaHistory.releasedVersions(current.getName());
    if (released.isEmpty() || SchemaNormalization.parsingFingerprint64(released.get(released.size() - 1))
            != SchemaNormalization.parsingFingerprint64(current)) {
      throw new IllegalStateException(
          current.getName() + ".avsc is not the last released schema: release it in schemas/history first");
    }
    List<ResolvingAvroCoder<T>> versions = released.stream().map(s -> new ResolvingAvroCoder<>(type, s)).toList();
    return VersionedCoder.of(versions.get(0), versions);
  }

  /** An event time in epoch milliseconds (e.g. when a step next flushes what it holds). */
  public static VersionedCoder<Long> eventTime() {
    return VersionedCoder.of(null, List.of(VarLongCoder.of()));
  }

  /**
   * Transaction id to arrival time, {@code DeduplicatePayments}' state. Version 1 is Beam's {@code
   * MapCoder<String, VarLong>} layout, which the release before versioning wrote unversioned.
   */
  public static VersionedCoder<Map<String, Long>> arrivals() {
    MapCoder<String, Long> v1 = MapCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    return VersionedCoder.of(v1, List.of(v1));
  }
}
