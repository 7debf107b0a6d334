package dev.paystream.io.sinks;

import dev.paystream.io.retry.RetryPolicy;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.apache.beam.sdk.PipelineResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Takes a store down for a few seconds while a pipeline is writing to it. */
public final class Outage {

  /** A sink retry policy that notices the store's return within a second. */
  public static final RetryPolicy QUICK_RETRY =
      RetryPolicy.of(RetryPolicy.UNLIMITED, Duration.ofMillis(200), Duration.ofSeconds(1));

  private static final Logger LOG = LoggerFactory.getLogger(Outage.class);
  private static final Duration DOWN_FOR = Duration.ofSeconds(4);

  private final String store;
  private final Runnable stop;
  private final Runnable start;

  /** An outage of {@code store}, taken down by {@code stop} and brought back by {@code start}. */
  public Outage(String store, Runnable stop, Runnable start) {
    this.store = store;
    this.stop = stop;
    this.start = start;
  }

  /**
   * Waits until the pipeline has {@code startedWriting}, then stops the store for four seconds
   * and starts it again.
   */
  public void during(PipelineResult running, BooleanSupplier startedWriting)
      throws InterruptedException {
    DirectPipelines.await(running, "the first writes", Duration.ofSeconds(60), startedWriting);
    stop.run();
    long stoppedAt = System.nanoTime();
    Thread.sleep(DOWN_FOR.toMillis());
    start.run();
    LOG.info("{} was down for {} ms", store, (System.nanoTime() - stoppedAt) / 1_000_000);
  }
}
