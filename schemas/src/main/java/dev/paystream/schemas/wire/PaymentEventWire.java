package dev.paystream.schemas.wire;

import dev.paystream.schemas.PaymentEvent;
import java.io.IOException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;

/**
 * The Kafka wire format of a payment: Avro single-object encoding (magic {@code C3 01}, the
 * writer schema's 8-byte fingerprint, then Avro binary). The fingerprint lets a consumer decode
 * payments written with any released schema version without a schema registry.
 */
public final class PaymentEventWire {
  /** First two bytes of every single-object encoded message. */
  public static final byte[] MAGIC = {(byte) 0xC3, (byte) 0x01};

  private static final BinaryMessageDecoder<PaymentEvent> DECODER = newDecoder();

  private PaymentEventWire() {}

  public static byte[] encode(PaymentEvent event) {
    return SingleObject.encode(event);
  }

  /**
   * Decodes a payment written with the current or any released schema.
   *
   * @throws IOException if the bytes are not a payment in a known schema version
   */
  public static PaymentEvent decode(byte[] bytes) throws IOException {
    try {
      return DECODER.decode(bytes);
    } catch (RuntimeException e) {
      // Avro reports bad headers, unknown fingerprints and corrupt bodies as runtime exceptions
      // (BadHeaderException, MissingSchemaException, ArrayIndexOutOfBounds for an enum index...).
      throw new IOException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /** True if {@code bytes} start like a single-object encoded Avro message. */
  public static boolean looksLikeAvro(byte[] bytes) {
    return bytes.length >= MAGIC.length && bytes[0] == MAGIC[0] && bytes[1] == MAGIC[1];
  }

  private static BinaryMessageDecoder<PaymentEvent> newDecoder() {
    BinaryMessageDecoder<PaymentEvent> decoder =
        new BinaryMessageDecoder<>(SpecificData.getForClass(PaymentEvent.class), PaymentEvent.getClassSchema());
    SchemaHistory.releasedVersions("PaymentEvent").forEach(decoder::addSchema);
    return decoder;
  }
}
