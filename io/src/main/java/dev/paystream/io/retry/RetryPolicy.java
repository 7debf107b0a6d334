package dev.paystream.io.retry;

import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * How a sink waits for its store to come back: capped exponential backoff with jitter, for a
 * bounded or unbounded number of retries.
 *
 * <p>The sinks retry inside the {@code DoFn} instead of failing the bundle: on the DirectRunner a
 * failed bundle fails the whole pipeline, and on Flink it restarts the job from its last
 * checkpoint, which is far more work than waiting for a database that restarts in seconds.
 * {@link #UNLIMITED} retries hold a bundle back for as long as the store is down.
 */
public final class RetryPolicy implements Serializable {

  /** {@link #maxRetries()} meaning "retry for ever". */
  public static final int UNLIMITED = -1;

  private static final long serialVersionUID = 1L;

  private final int maxRetries;
  private final long initialBackoffMillis;
  private final long maxBackoffMillis;

  private RetryPolicy(int maxRetries, long initialBackoffMillis, long maxBackoffMillis) {
    if (maxRetries < UNLIMITED) {
      throw new IllegalArgumentException(
          "maxRetries must be >= 0, or " + UNLIMITED + " for unlimited; got " + maxRetries);
    }
    if (initialBackoffMillis <= 0 || maxBackoffMillis < initialBackoffMillis) {
      throw new IllegalArgumentException(
          "Backoff must satisfy 0 < initial <= max; got initial "
              + initialBackoffMillis
              + " ms, max "
              + maxBackoffMillis
              + " ms");
    }
    this.maxRetries = maxRetries;
    this.initialBackoffMillis = initialBackoffMillis;
    this.maxBackoffMillis = maxBackoffMillis;
  }

  /**
   * A policy of up to {@code maxRetries} retries ({@link #UNLIMITED} for no limit), the first
   * after about {@code initialBackoff}, each next one twice as late, but never later than {@code
   * maxBackoff}.
   */
  public static RetryPolicy of(int maxRetries, Duration initialBackoff, Duration maxBackoff) {
    return new RetryPolicy(maxRetries, initialBackoff.toMillis(), maxBackoff.toMillis());
  }

  /** The maximum number of retries after the first attempt, or {@link #UNLIMITED}. */
  public int maxRetries() {
    return maxRetries;
  }

  /** The nominal wait before the first retry. */
  public Duration initialBackoff() {
    return Duration.ofMillis(initialBackoffMillis);
  }

  /** The longest wait between two attempts. */
  public Duration maxBackoff() {
    return Duration.ofMillis(maxBackoffMillis);
  }

  /**
   * A {@link Retrier} that counts its retries and give-ups in the Beam counters {@code
   * <namespace>/<operation>_retries} and {@code <namespace>/<operation>_failures}, and retries
   * only failures that {@code isTransient} accepts.
   */
  public Retrier retrier(String namespace, String operation, Predicate<Exception> isTransient) {
    return new Retrier(this, namespace, operation, isTransient);
  }

  boolean allowsRetry(int retriesSoFar) {
    return maxRetries == UNLIMITED || retriesSoFar < maxRetries;
  }

  /**
   * The wait before retry number {@code retry} (0-based): the doubled backoff, capped, then
   * scaled by a random factor in [0.5, 1] so that many workers that lost the same store do not
   * all come back in the same millisecond.
   */
  long backoffMillis(int retry) {
    long nominal = initialBackoffMillis << Math.min(retry, 30);
    long capped = nominal <= 0 ? maxBackoffMillis : Math.min(nominal, maxBackoffMillis);
    return (long) (capped * (0.5 + ThreadLocalRandom.current().nextDouble() / 2));
  }

  @Override
  public String toString() {
    return "RetryPolicy{maxRetries="
        + (maxRetries == UNLIMITED ? "unlimited" : maxRetries)
        + ", backoff="
        + initialBackoffMillis
        + ".."
        + maxBackoffMillis
        + " ms}";
  }
}
