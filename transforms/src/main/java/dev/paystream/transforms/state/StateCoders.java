package dev.paystream.transforms.state;

import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.wire.SchemaHistory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.Coder;
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
    List<Coder<T>> versions = releasedAvroVersions(type);
    return VersionedCoder.of(versions.get(0), versions);
  }

  /** A reader of each released schema of {@code type}, oldest first; the last (the current schema) writes. */
  private static <T extends SpecificRecord> List<Coder<T>> releasedAvroVersions(Class<T> type) {
    Schema current = SpecificData.getForClass(type).getSchema(type);
    List<Schema> released = SchemaHistory.releasedVersions(current.getName());
    if (released.isEmpty() || SchemaNormalization.parsingFingerprint64(released.get(released.size() - 1))
            != SchemaNormalization.parsingFingerprint64(current)) {
      throw new IllegalStateException(
          current.getName() + ".avsc is not the last released schema: release it in schemas/history first");
    }
    return released.stream().<Coder<T>>map(s -> new ResolvingAvroCoder<>(type, s)).toList();
  }

  /**
   * The payments of the customer-keyed steps, their input shuffles and outputs (a savepoint holds
   * these coders, and may hold payments a step emits while a snapshot is taken). Versions 1 and 2
   * are Avro binary of PaymentEvent schema v1 and v2 (what {@code avro(PaymentEvent.class)} wrote
   * before issue 16; the first also unversioned), version 3 {@link CompactPaymentCoder}'s layout;
   * a later schema gets a compact layout of its own as the next version, not an Avro one. {@link
   * PaymentCoder#AVRO} is exactly the coder before issue 16 (it writes version 2 and cannot read
   * version 3), kept for same-run comparisons.
   */
  public static VersionedCoder<PaymentEvent> payments(PaymentCoder writes) {
    List<Coder<PaymentEvent>> versions =
        new ArrayList<>(releasedAvroVersions(PaymentEvent.class).subList(0, AVRO_PAYMENT_VERSIONS));
    if (writes == PaymentCoder.COMPACT) {
      versions.add(new CompactPaymentCoder()); // refuses a PaymentEvent schema it does not cover
    }
    return VersionedCoder.of(versions.get(0), versions);
  }

  /** Versions of {@link #payments} that are Avro binary: schema v1 and v2, before the compact layouts. */
  private static final int AVRO_PAYMENT_VERSIONS = 2;

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
