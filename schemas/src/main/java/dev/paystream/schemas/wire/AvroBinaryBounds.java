package dev.paystream.schemas.wire;

import java.io.IOException;
import org.apache.avro.Schema;

/**
 * Walks Avro binary data against its writer schema without materialising anything, to check it
 * before a real decoder sees it: every string, bytes or collection length fits in what is left of
 * the input, every union and enum index exists, and nothing is left over at the end. Avro's decoder
 * allocates what a length claims before it finds out the bytes are not there, so garbage after a
 * valid header ("a 2 GiB string follows") could otherwise take the heap; and it stops reading where
 * the record ends, so bytes after it would otherwise be ignored silently.
 */
final class AvroBinaryBounds {
  private static final int MAX_DEPTH = 64;

  private final byte[] bytes;
  private int position;

  private AvroBinaryBounds(byte[] bytes, int offset) {
    this.bytes = bytes;
    this.position = offset;
  }

  /** @throws IOException if {@code bytes[offset..]} is not exactly one datum of {@code schema} */
  static void check(Schema schema, byte[] bytes, int offset) throws IOException {
    AvroBinaryBounds walk = new AvroBinaryBounds(bytes, offset);
    walk.skip(schema, 0);
    if (walk.position != bytes.length) {
      throw new IOException((bytes.length - walk.position) + " bytes after the end of the record");
    }
  }

  private void skip(Schema schema, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new IOException("schema nested deeper than " + MAX_DEPTH);
    }
    switch (schema.getType()) {
      case NULL -> { }
      case BOOLEAN -> advance(1);
      case INT, LONG -> readLong();
      case FLOAT -> advance(4);
      case DOUBLE -> advance(8);
      case FIXED -> advance(schema.getFixedSize());
      case STRING, BYTES -> advance(readLength());
      case ENUM -> index(schema.getEnumSymbols().size(), "enum " + schema.getFullName());
      case UNION -> skip(schema.getTypes().get(index(schema.getTypes().size(), "union")), depth + 1);
      case RECORD -> {
        for (Schema.Field field : schema.getFields()) {
          skip(field.schema(), depth + 1);
        }
      }
      case ARRAY, MAP -> skipBlocks(schema, depth);
      default -> throw new IOException("unsupported schema type " + schema.getType());
    }
  }

  private void skipBlocks(Schema schema, int depth) throws IOException {
    for (long count = readLong(); count != 0; count = readLong()) {
      if (count < 0) {
        count = -count;
        readLong(); // the block's size in bytes
      }
      // every item takes at least one byte, except nulls, which nobody sends by the million
      if (count > remaining()) {
        throw new IOException("a block claims " + count + " items, " + remaining() + " bytes are left");
      }
      for (long i = 0; i < count; i++) {
        if (schema.getType() == Schema.Type.MAP) {
          advance(readLength());
        }
        skip(schema.getType() == Schema.Type.MAP ? schema.getValueType() : schema.getElementType(), depth + 1);
      }
    }
  }

  private int index(int size, String what) throws IOException {
    long index = readLong();
    if (index < 0 || index >= size) {
      throw new IOException(what + " index " + index + " out of [0, " + size + ")");
    }
    return (int) index;
  }

  private int readLength() throws IOException {
    long length = readLong();
    if (length < 0 || length > remaining()) {
      throw new IOException("a length of " + length + " with " + remaining() + " bytes left");
    }
    return (int) length;
  }

  /** A zig-zag varint, as Avro writes int and long. */
  private long readLong() throws IOException {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (position >= bytes.length) {
        throw new IOException("the record ends inside a number");
      }
      int b = bytes[position++] & 0xFF;
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return (value >>> 1) ^ -(value & 1);
      }
    }
    throw new IOException("a number longer than 10 bytes");
  }

  private void advance(int count) throws IOException {
    if (count > remaining()) {
      throw new IOException("the record ends early: " + count + " bytes needed, " + remaining() + " left");
    }
    position += count;
  }

  private int remaining() {
    return bytes.length - position;
  }
}
