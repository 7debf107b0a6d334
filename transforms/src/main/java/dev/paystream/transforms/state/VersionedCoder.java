package dev.paystream.transforms.state;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CustomCoder;

/**
 * A coder for values that outlive a release (runner state, elements a savepoint buffers): it
 * writes {@value #MARKER_HEX} and a version byte before the value, and reads every version it has
 * ever written, plus the unversioned layout of the release before versioning.
 *
 * <p>Why: Beam's Flink runner restores every state as compatible and never migrates it, so a coder
 * whose layout changed would silently mis-read a savepoint. With a version in front, a new release
 * keeps the old version's reader and writes the new one; {@code StateCoderCompatibilityTest} decodes
 * the committed bytes of every version.
 *
 * <p>The marker {@code 0xFF} cannot start an unversioned value of the layouts we had: a big-endian
 * non-negative int (a collection size) starts with {@code 0x00}–{@code 0x7F}, and an Avro record
 * whose first field is a non-empty string starts with an even byte (zig-zag length).
 */
public final class VersionedCoder<T> extends CustomCoder<T> {
  /**
   * Savepoints hold this coder, and the coders of its versions, Java-serialized (the serializer of
   * the state they code), and Java checks the class's serialVersionUID when it reads one back.
   * Each of those classes pins the value the JVM computed for it at 4a65de2 (2026-12-07), so that
   * a later edit of the class (a method added) cannot make the savepoints of that release
   * unreadable; a coder born later pins 1.
   */
  private static final long serialVersionUID = -4706019459830942421L;

  static final int MARKER = 0xFF;
  static final String MARKER_HEX = "0xFF";

  private final Coder<T> unversioned;
  private final List<Coder<T>> versions;

  private VersionedCoder(Coder<T> unversioned, List<Coder<T>> versions) {
    this.unversioned = unversioned;
    this.versions = versions;
  }

  /**
   * @param unversioned reads what the release before versioning wrote (no marker), or null if
   *     there was none
   * @param versions {@code versions.get(i)} reads version {@code i + 1}; the last one writes
   */
  public static <T> VersionedCoder<T> of(Coder<T> unversioned, List<? extends Coder<T>> versions) {
    if (versions.isEmpty() || versions.size() > 127) {
      throw new IllegalArgumentException("1 to 127 versions, got " + versions.size());
    }
    return new VersionedCoder<>(unversioned, List.copyOf(versions));
  }

  /** The version this coder writes. */
  public int currentVersion() {
    return versions.size();
  }

  @Override
  public void encode(T value, OutputStream out) throws IOException {
    out.write(MARKER);
    out.write(currentVersion());
    versions.get(versions.size() - 1).encode(value, out);
  }

  @Override
  public T decode(InputStream in) throws IOException {
    int first = in.read();
    if (first < 0) {
      throw new CoderException("end of stream before a versioned value");
    }
    if (first != MARKER) {
      if (unversioned == null) {
        throw new CoderException("no version marker, got byte " + first);
      }
      // The first byte belongs to the unversioned value: hand it back in front of the rest.
      return unversioned.decode(new SequenceInputStream(new ByteArrayInputStream(new byte[] {(byte) first}), in));
    }
    int version = in.read();
    if (version < 1 || version > versions.size()) {
      // A newer release's state read by an older one (a rollback): refuse rather than mis-read.
      throw new CoderException(
          "state version " + version + " is unknown to this release (it reads 1 to " + versions.size() + ")");
    }
    return versions.get(version - 1).decode(in);
  }

  @Override
  public void verifyDeterministic() throws NonDeterministicException {
    versions.get(versions.size() - 1).verifyDeterministic();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof VersionedCoder<?> that
        && Objects.equals(unversioned, that.unversioned)
        && versions.equals(that.versions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(unversioned, versions);
  }
}
