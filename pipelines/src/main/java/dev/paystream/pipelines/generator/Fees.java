package dev.paystream.pipelines.generator;

import dev.paystream.schemas.CommissionType;

/** What the processor charges on top of a payment. Amounts are minor units, rounded down. */
final class Fees {
  static final int VAT_PERCENT = 9;
  private static final long BASIS_POINTS = 10_000;

  private Fees() {}

  static long vat(long amount) {
    return amount * VAT_PERCENT / 100;
  }

  static long commission(CommissionType type, long amount) {
    return switch (type) {
      // one rate whatever the amount
      case FLAT -> share(amount, 150);
      // marginal brackets, like income tax: each slice pays its own, rising rate
      case PROGRESSIVE ->
          share(Math.min(amount, 1_000_000), 100)
              + share(Math.max(0, Math.min(amount, 5_000_000) - 1_000_000), 200)
              + share(Math.max(0, amount - 5_000_000), 300);
      // the whole amount at the rate of its band; large tickets get a volume discount
      case TIERED -> share(amount, amount < 500_000 ? 250 : amount < 5_000_000 ? 150 : 100);
    };
  }

  private static long share(long amount, long basisPoints) {
    return amount * basisPoints / BASIS_POINTS;
  }
}
