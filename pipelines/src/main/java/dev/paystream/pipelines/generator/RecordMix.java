package dev.paystream.pipelines.generator;

/**
 * What share of all generated records is injected fraud, duplicates and malformed records; the rest
 * are ordinary valid payments.
 */
record RecordMix(double fraud, double duplicate, double malformed) {
  RecordMix {
    requireFraction("fraud", fraud);
    requireFraction("duplicate", duplicate);
    requireFraction("malformed", malformed);
  }

  private static void requireFraction(String name, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(name + " fraction must be in [0, 1), was " + value);
    }
  }
}
