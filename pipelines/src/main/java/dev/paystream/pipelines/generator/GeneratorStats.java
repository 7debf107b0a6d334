package dev.paystream.pipelines.generator;

import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.transforms.validate.DeadLetterReason;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Exact counts of generated records: per {@link Kind}, per expected dead-letter reason and per
 * fraud pattern (records, so a burst of eight counts eight). They are what a run of the pipeline
 * must account for: every {@code VALID} record gets one decision, every {@code DUPLICATE} is
 * dropped, every {@code MALFORMED} one is dead-lettered with its reason. Not thread-safe.
 */
public final class GeneratorStats {
  private final Map<Kind, Long> byKind = new EnumMap<>(Kind.class);
  private final Map<DeadLetterReason, Long> byReason = new EnumMap<>(DeadLetterReason.class);
  private final Map<String, Long> byPattern = new TreeMap<>();

  /** Counts one record. */
  public void add(GeneratedRecord record) {
    byKind.merge(record.kind(), 1L, Long::sum);
    if (record.expectedReason() != null) {
      byReason.merge(record.expectedReason(), 1L, Long::sum);
    }
    if (record.fraudPattern() != null) {
      byPattern.merge(record.fraudPattern(), 1L, Long::sum);
    }
  }

  /** Adds every count of {@code other} to this. */
  public void addAll(GeneratorStats other) {
    other.byKind.forEach((kind, n) -> byKind.merge(kind, n, Long::sum));
    other.byReason.forEach((reason, n) -> byReason.merge(reason, n, Long::sum));
    other.byPattern.forEach((pattern, n) -> byPattern.merge(pattern, n, Long::sum));
  }

  public GeneratorStats copy() {
    GeneratorStats copy = new GeneratorStats();
    copy.addAll(this);
    return copy;
  }

  public long total() {
    return byKind.values().stream().mapToLong(Long::longValue).sum();
  }

  public long count(Kind kind) {
    return byKind.getOrDefault(kind, 0L);
  }

  /** Malformed records expected to be dead-lettered with {@code reason}. */
  public long count(DeadLetterReason reason) {
    return byReason.getOrDefault(reason, 0L);
  }

  /** Valid records labelled with {@code pattern}. */
  public long count(FraudPattern pattern) {
    return byPattern.getOrDefault(pattern.name(), 0L);
  }

  public Map<Kind, Long> byKind() {
    return Collections.unmodifiableMap(byKind);
  }

  public Map<DeadLetterReason, Long> byReason() {
    return Collections.unmodifiableMap(byReason);
  }

  /** Records per fraud pattern name, sorted by name. */
  public Map<String, Long> byPattern() {
    return Collections.unmodifiableMap(byPattern);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof GeneratorStats that
        && byKind.equals(that.byKind)
        && byReason.equals(that.byReason)
        && byPattern.equals(that.byPattern);
  }

  @Override
  public int hashCode() {
    return Objects.hash(byKind, byReason, byPattern);
  }

  /**
   * One line, e.g. {@code 1000 records: VALID=970 DUPLICATE=10 MALFORMED=20 reasons {UNPARSEABLE=4,
   * ...} fraud {BURST=16}}.
   */
  @Override
  public String toString() {
    StringBuilder line = new StringBuilder().append(total()).append(" records:");
    for (Kind kind : Kind.values()) {
      line.append(' ').append(kind).append('=').append(count(kind));
    }
    return line.append(" reasons ").append(byReason).append(" fraud ").append(byPattern).toString();
  }
}
