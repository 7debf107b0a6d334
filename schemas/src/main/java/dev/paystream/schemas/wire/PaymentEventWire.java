package dev.paystream.schemas.wire;

import dev.paystream.schemas.PaymentEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * The Kafka wire format of a payment: Avro single-object encoding (magic {@code C3 01}, the
 * writer schema's 8-byte fingerprint, then Avro binary). The fingerprint lets a consumer decode
 * payments written with any released schema version without a schema registry.
 */
public final class PaymentEventWire {
  /** First two bytes of every single-object encoded message. */
  public static final byte[] MAGIC = {(byte) 0xC3, (byte) 0x01};

  private static final int HEADER_BYTES = MAGIC.length + 8;

  /** Writer schemas by fingerprint: the current one and every released version. */
  private static final Map<Long, Schema> WRITERS = writers();

  private static final SpecificData SPECIFIC = SpecificData.getForClass(PaymentEvent.class);

  private static final Map<Integer, BinaryMessageEncoder<PaymentEvent>> OLD_ENCODERS = new ConcurrentHashMap<>();

  private PaymentEventWire() {}

  public static byte[] encode(PaymentEvent event) {
    return SingleObject.encode(event);
  }

  /**
   * Encodes as a producer on released schema {@code version} (1-based) does: with that schema's
   * fingerprint and only its fields (later fields are dropped). Released versions only append
   * optional fields, so an older schema's field positions are the current class's.
   */
  public static byte[] encode(PaymentEvent event, int version) {
    List<Schema> released = SchemaHistory.releasedVersions("PaymentEvent");
    if (version < 1 || version > released.size()) {
      throw new IllegalArgumentException("PaymentEvent v" + version + " is not released (1 to " + released.size() + ")");
    }
    if (version == released.size()) {
      return encode(event);
    }
    try {
      ByteBuffer buffer = OLD_ENCODERS.computeIfAbsent(version, v -> new BinaryMessageEncoder<>(SPECIFIC, released.get(v - 1))).encode(event);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode PaymentEvent v" + version, e);
    }
  }

  /**
   * Decodes a payment written with the current or any released schema. Strict: the bytes must be
   * exactly one payment (trailing bytes are an error, not ignored), and lengths inside are checked
   * against the input before anything is allocated ({@link AvroBinaryBounds}).
   *
   * @throws IOException if the bytes are not a payment in a known schema version
   */
  public static PaymentEvent decode(byte[] bytes) throws IOException {
    if (!looksLikeAvro(bytes) || bytes.length < HEADER_BYTES) {
      throw new IOException("no single-object header (C3 01 + 8-byte fingerprint)");
    }
    long fingerprint = 0;
    for (int i = HEADER_BYTES - 1; i >= MAGIC.length; i--) {
      fingerprint = (fingerprint << 8) | (bytes[i] & 0xFF); // little-endian
    }
    Schema writer = WRITERS.get(fingerprint);
    if (writer == null) {
      throw new UnknownSchemaException(fingerprint);
    }
    AvroBinaryBounds.check(writer, bytes, HEADER_BYTES);
    try {
      return new SpecificDatumReader<PaymentEvent>(writer, PaymentEvent.getClassSchema(), SPECIFIC)
          .read(null, DecoderFactory.get().binaryDecoder(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES, null));
    } catch (RuntimeException e) {
      // Avro reports corrupt bodies as runtime exceptions (AvroTypeException for an enum symbol the
      // reader does not know...).
      throw new IOException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * A single-object payment whose writer schema this release does not know: typically a producer
   * upgraded before its consumers (README, "Schema v2: rollout").
   */
  public static final class UnknownSchemaException extends IOException {
    UnknownSchemaException(long fingerprint) {
      super("unknown schema fingerprint " + Long.toHexString(fingerprint)
          + ": written with a PaymentEvent schema this release does not know (upgrade consumers before producers)");
    }
  }

  /** True if {@code bytes} start like a single-object encoded Avro message. */
  public static boolean looksLikeAvro(byte[] bytes) {
    return bytes.length >= MAGIC.length && bytes[0] == MAGIC[0] && bytes[1] == MAGIC[1];
  }

  private static Map<Long, Schema> writers() {
    Map<Long, Schema> writers = new HashMap<>();
    SchemaHistory.releasedVersions("PaymentEvent")
        .forEach(schema -> writers.put(SchemaNormalization.parsingFingerprint64(schema), schema));
    writers.put(SchemaNormalization.parsingFingerprint64(PaymentEvent.getClassSchema()), PaymentEvent.getClassSchema());
    return Map.copyOf(writers);
  }
}
