package dev.paystream.io.retry;

import dev.paystream.schemas.metrics.PaystreamMetrics;
import java.util.function.Predicate;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one kind of operation under a {@link RetryPolicy}, counting and logging every retry.
 * Created by {@link RetryPolicy#retrier}.
 */
public final class Retrier {

  private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);

  private final RetryPolicy policy;
  private final String operation;
  private final Predicate<Exception> isTransient;
  private final Counter retries;
  private final Counter failures;
  private final String sink;
  private final String operationName;

  Retrier(
      RetryPolicy policy, String namespace, String operation, Predicate<Exception> isTransient) {
    this.policy = policy;
    this.operation = namespace + " " + operation;
    this.isTransient = isTransient;
    this.retries = Metrics.counter(namespace, operation + "_retries");
    this.failures = Metrics.counter(namespace, operation + "_failures");
    this.sink = namespace;
    this.operationName = operation;
    // At 0 from the start, so that an increase() over them has data before the first retry.
    PaystreamMetrics.SINK_RETRIES.labelValues(namespace, operation);
    PaystreamMetrics.SINK_FAILURES.labelValues(namespace, operation);
  }

  /** One try of the operation. */
  @FunctionalInterface
  public interface Attempt<T, E extends Exception> {
    T run() throws E;
  }

  /**
   * Runs {@code attempt} until it succeeds, fails with a failure that is not transient, or the
   * policy's retries are used up; the last failure is thrown then. An interrupt while waiting
   * ends the retries too, with the interrupt flag kept set.
   */
  public <T, E extends Exception> T call(Attempt<T, E> attempt) throws E {
    for (int retry = 0; ; retry++) {
      try {
        return attempt.run();
      } catch (Exception failure) {
        if (!isTransient.test(failure) || !policy.allowsRetry(retry)) {
          failures.inc();
          PaystreamMetrics.SINK_FAILURES.labelValues(sink, operationName).inc();
          throw failure;
        }
        long waitMillis = policy.backoffMillis(retry);
        LOG.warn(
            "{} failed (retry {} in {} ms): {}",
            operation,
            retry + 1,
            waitMillis,
            failure.toString());
        retries.inc();
        PaystreamMetrics.SINK_RETRIES.labelValues(sink, operationName).inc();
        try {
          Thread.sleep(waitMillis);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          failures.inc();
          PaystreamMetrics.SINK_FAILURES.labelValues(sink, operationName).inc();
          failure.addSuppressed(interrupted);
          throw failure;
        }
      }
    }
  }
}
