package dev.paystream.transforms.state;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.OutputStream;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.CustomCoder;

/**
 * Avro binary of one released schema version of a generated record: reads bytes written with that
 * schema into the current class (Avro schema resolution), and writes only if that version is the
 * current schema. One of a {@link VersionedCoder}'s versions.
 */
final class ResolvingAvroCoder<T extends SpecificRecord> extends CustomCoder<T> {
  /** Pinned at its computed value: see {@link VersionedCoder}. */
  private static final long serialVersionUID = -5248303481597489372L;

  private final Class<T> type;
  private final String writerJson;
  private transient Schema writer;
  private transient SpecificDatumReader<T> reader;
  private transient SpecificDatumWriter<T> datumWriter;

  ResolvingAvroCoder(Class<T> type, Schema writer) {
    this.type = type;
    this.writerJson = writer.toString();
    init();
  }

  private void init() {
    writer = new Schema.Parser().parse(writerJson);
    SpecificData data = SpecificData.getForClass(type);
    Schema current = data.getSchema(type);
    reader = new SpecificDatumReader<>(writer, current, data);
    // Writes with the current schema only: an older version is read, never written.
    datumWriter =
        SchemaNormalization.parsingFingerprint64(writer) == SchemaNormalization.parsingFingerprint64(current)
            ? new SpecificDatumWriter<>(current, data) : null;
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    init();
  }

  @Override
  public void encode(T value, OutputStream out) throws IOException {
    if (datumWriter == null) {
      throw new IOException("schema version of " + type.getSimpleName() + " is not current: read-only");
    }
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    datumWriter.write(value, encoder);
    encoder.flush();
  }

  @Override
  public T decode(InputStream in) throws IOException {
    return reader.read(null, DecoderFactory.get().directBinaryDecoder(in, null));
  }

  @Override
  public void verifyDeterministic() throws NonDeterministicException {
    // Generated records without maps: Avro binary is deterministic for them.
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ResolvingAvroCoder<?> that && type.equals(that.type) && writerJson.equals(that.writerJson);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, writerJson);
  }
}
