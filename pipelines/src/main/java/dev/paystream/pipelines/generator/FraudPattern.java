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
   * An ordinary-sized payment at an hour the customer never pays at, nor in the hours either side
   * of it (e.g. 01:00–05:00 UTC for a daytime customer), by a customer with at least {@link
   * #MIN_HISTORY} payments behind them. A payment just after a customer's usual last hour is not
   * odd: habits are not minute-exact.
   */
  ODD_HOUR,
  /**
   * A payment in another city (at least some 300 km from home) within {@link #TRAVEL_WINDOW} of the
   * customer's previous payment, at an hour they usually pay and of a usual amount: the card is
   * used in two places no traveller could join in time (a cloned card). Needs a located previous
   * payment, as every generated payment is.
   */
  IMPOSSIBLE_TRAVEL,
  /**
   * Someone else takes over an account with history: a device the customer never used, in another
   * city, for {@link #TAKEOVER_MIN_FACTOR} to {@link #TAKEOVER_MAX_FACTOR} times their typical
   * amount (less blatant than {@link #LARGE_AFTER_SMALL}). Needs PaymentEvent v2's device id to be
   * told from a stolen card.
   */
  ACCOUNT_TAKEOVER,
  /**
   * A merchant is compromised (a breached checkout, a collusive merchant charging cards it holds):
   * within {@link #MERCHANT_RUN_WINDOW}, {@link #MERCHANT_RUN_MIN_PAYMENTS} to {@link
   * #MERCHANT_RUN_MAX_PAYMENTS} payments at that one merchant, each charging a different customer
   * with at least {@link #MIN_HISTORY} payments behind them {@link #MERCHANT_RUN_MIN_FACTOR} to {@link #MERCHANT_RUN_MAX_FACTOR} times their typical
   * amount, about {@link #MERCHANT_RUN_DECLINE_SHARE} of them declined by the issuers (blocked
   * cards, limits). Keyed in by the merchant (channel {@code moto}): no customer device, no payer
   * location, at an hour the customer pays. Each customer's own features see at most a somewhat
   * large amount, maybe at a merchant new to them; the run shows in the merchant's recent payments.
   * Every payment of the run carries the label; an incident is the run. A run is whole or not there:
   * it is injected only when enough customers with history pay at its hours (early in a run without
   * history a burst stands in), and runs at one merchant never overlap.
   */
  COMPROMISED_MERCHANT;

  public static final int BURST_MIN_PAYMENTS = 6;
  public static final int BURST_MAX_PAYMENTS = 10;
  public static final Duration BURST_WINDOW = Duration.ofSeconds(90);
  public static final int LARGE_MIN_FACTOR = 20;
  public static final int LARGE_MAX_FACTOR = 50;
  public static final Duration TRAVEL_WINDOW = Duration.ofMinutes(20);
  public static final int TAKEOVER_MIN_FACTOR = 3;
  public static final int TAKEOVER_MAX_FACTOR = 8;
  public static final int MERCHANT_RUN_MIN_PAYMENTS = 8;
  public static final int MERCHANT_RUN_MAX_PAYMENTS = 12;
  public static final Duration MERCHANT_RUN_WINDOW = Duration.ofMinutes(30);
  public static final double MERCHANT_RUN_MIN_FACTOR = 2.0;
  public static final double MERCHANT_RUN_MAX_FACTOR = 3.5;
  public static final double MERCHANT_RUN_DECLINE_SHARE = 0.4;

  /**
   * Matches the pipeline's default --minHistory, below which amount and hour features stay silent.
   */
  public static final int MIN_HISTORY = 10;

  /** Fewest records one occurrence of this pattern makes. */
  public int minRecords() {
    return switch (this) {
      case BURST -> BURST_MIN_PAYMENTS;
      case COMPROMISED_MERCHANT -> MERCHANT_RUN_MIN_PAYMENTS;
      default -> 1;
    };
  }

  /** Most records one occurrence of this pattern makes. */
  public int maxRecords() {
    return switch (this) {
      case BURST -> BURST_MAX_PAYMENTS;
      case COMPROMISED_MERCHANT -> MERCHANT_RUN_MAX_PAYMENTS;
      default -> 1;
    };
  }

  /** Records one occurrence of this pattern makes, on average. */
  double meanRecords() {
    return (minRecords() + maxRecords()) / 2.0;
  }
}
