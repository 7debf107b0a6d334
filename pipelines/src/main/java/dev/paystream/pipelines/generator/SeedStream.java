package dev.paystream.pipelines.generator;

import java.util.Random;

/**
 * Independent random streams derived from one seed. Keeping them apart means extra draws in one
 * never shift another: a backfill replays the plan and the arrivals without generating content, and
 * the population is the same whatever the run does with it.
 */
enum SeedStream {
  POPULATION,
  PLAN,
  ARRIVALS,
  CONTENT;

  /** This stream's seed: the master seed scrambled with SplitMix64's finaliser. */
  long seed(long master) {
    long z = master + 0x9E3779B97F4A7C15L * (ordinal() + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  Random random(long master) {
    return new Random(seed(master));
  }
}
