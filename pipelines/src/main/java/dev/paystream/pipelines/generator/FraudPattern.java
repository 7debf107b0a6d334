package dev.paystream.pipelines.generator;

import java.time.Duration;

/**
 * Fraud the generator injects into otherwise normal traffic, each labelled on its records so a
 * detector's hits and misses can be counted. Every pattern is a valid payment: fraud is a matter of
 * behaviour, not of format.
 */
public enum FraudPattern {
  /**
   * One customer makes {@link #BURST_MIN_PAYMENTS} to {@link #BURST_MAX_PAYMENTS} payments within
   * {@link #BURST_WINDOW}, at an hour they usually pay: a velocity anomaly (card testing, a stolen
   * phone). Every payment of the burst carries the label.
   */
  BURST,
  /**
   * A payment of {@link #LARGE_MIN_FACTOR} to {@link #LARGE_MAX_FACTOR} times the customer's
   * typical amount, by a customer with at least {@link #MIN_HISTORY} ordinary payments behind them:
   * an amount anomaly (account takeover cashing out).
   */
  LARGE_AFTER_SMALL,
  /**
   * An ordinary-sized payment at an hour the customer never pays at (e.g. 01:00–05:00 UTC for a
   * daytime customer), by a customer with at least {@link #MIN_HISTORY} payments behind them.
   */
  ODD_HOUR;

  public static final int BURST_MIN_PAYMENTS = 6;
  public static final int BURST_MAX_PAYMENTS = 10;
  public static final Duration BURST_WINDOW = Duration.ofSeconds(90);
  public static final int LARGE_MIN_FACTOR = 20;
  public static final int LARGE_MAX_FACTOR = 50;

  /**
   * Matches the pipeline's default --minHistory, below which amount and hour features stay silent.
   */
  public static final int MIN_HISTORY = 10;

  /** Records one occurrence of this pattern makes, on average. */
  double meanRecords() {
    return this == BURST ? (BURST_MIN_PAYMENTS + BURST_MAX_PAYMENTS) / 2.0 : 1;
  }
}
