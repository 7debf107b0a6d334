package dev.paystream.schemas.wire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding (magic {@code C3 01}, 8-byte schema fingerprint, Avro binary) for
 * any generated record: every record we put on Kafka says which schema wrote it.
 */
public final class SingleObject {
  private static final Map<Class<?>, BinaryMessageEncoder<SpecificRecord>> ENCODERS = new ConcurrentHashMap<>();

  private SingleObject() {}

  public static byte[] encode(SpecificRecord record) {
    BinaryMessageEncoder<SpecificRecord> encoder =
        ENCODERS.computeIfAbsent(
            record.getClass(),
            type -> new BinaryMessageEncoder<>(SpecificData.getForClass(type), record.getSchema()));
    try {
      ByteBuffer buffer = encoder.encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode " + record.getSchema().getFullName(), e);
    }
  }
}
