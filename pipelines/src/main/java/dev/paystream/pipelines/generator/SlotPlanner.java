package dev.paystream.pipelines.generator;

import java.util.Random;

/**
 * Decides what each arrival of the timeline holds. It depends on nothing but its seed and the
 * record limit, never on event time or on what earlier slots produced, so a backfill can replay it
 * to learn how many arrivals a given number of records needs before choosing its start.
 */
final class SlotPlanner {
  enum Type {
    PAYMENT,
    FRAUD,
    DUPLICATE,
    MALFORMED
  }

  /**
   * @param pattern the fraud pattern of a {@link Type#FRAUD} slot, else null
   * @param records how many records the slot makes (more than one only for a burst or a merchant's run)
   */
  record Slot(Type type, FraudPattern pattern, int records) {}

  private static final FraudPattern[] PATTERNS = FraudPattern.values();

  private final Random random;
  private final long limit;
  private final double fraudPerSlot;
  private final double duplicatePerSlot;
  private final double malformedPerSlot;
  private final double recordsPerSlot;
  private long planned;

  /**
   * @param mix fractions of all records, which this turns into per-slot probabilities
   * @param limit records to plan in total; {@link Long#MAX_VALUE} for no end
   */
  SlotPlanner(long seed, RecordMix mix, long limit) {
    this.random = new Random(seed);
    this.limit = limit;
    // A fraud slot makes more than one record on average (bursts), so fractions of records are not
    // fractions of slots: solve fraudRecords / allRecords = mix.fraud() for the fraud slot rate.
    double fraudSlotRecords = meanFraudRecords();
    this.fraudPerSlot = mix.fraud() / (fraudSlotRecords - mix.fraud() * (fraudSlotRecords - 1));
    this.recordsPerSlot = 1 + fraudPerSlot * (fraudSlotRecords - 1);
    this.duplicatePerSlot = mix.duplicate() * recordsPerSlot;
    this.malformedPerSlot = mix.malformed() * recordsPerSlot;
    if (fraudPerSlot + duplicatePerSlot + malformedPerSlot > 1) {
      throw new IllegalArgumentException("fractions leave no room for ordinary payments: " + mix);
    }
  }

  private static double meanFraudRecords() {
    double sum = 0;
    for (FraudPattern pattern : PATTERNS) {
      sum += pattern.meanRecords();
    }
    return sum / PATTERNS.length;
  }

  /** Records per slot on average, to turn a record rate into an arrival rate. */
  double recordsPerSlot() {
    return recordsPerSlot;
  }

  boolean exhausted() {
    return planned >= limit;
  }

  Slot next() {
    double u = random.nextDouble();
    Slot slot;
    if (u < fraudPerSlot) {
      slot = fraudSlot();
    } else if (u < fraudPerSlot + duplicatePerSlot) {
      slot = new Slot(Type.DUPLICATE, null, 1);
    } else if (u < fraudPerSlot + duplicatePerSlot + malformedPerSlot) {
      slot = new Slot(Type.MALFORMED, null, 1);
    } else {
      slot = new Slot(Type.PAYMENT, null, 1);
    }
    planned += slot.records();
    return slot;
  }

  private Slot fraudSlot() {
    FraudPattern pattern = PATTERNS[random.nextInt(PATTERNS.length)];
    if (pattern.maxRecords() == 1) {
      return new Slot(Type.FRAUD, pattern, 1);
    }
    int size = pattern.minRecords() + random.nextInt(pattern.maxRecords() - pattern.minRecords() + 1);
    // The record limit is exact, and a burst (or a merchant's run) cut short would not be one.
    return planned + size <= limit
        ? new Slot(Type.FRAUD, pattern, size)
        : new Slot(Type.PAYMENT, null, 1);
  }
}
