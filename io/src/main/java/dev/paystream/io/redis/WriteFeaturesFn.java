package dev.paystream.io.redis;

import dev.paystream.schemas.metrics.PaystreamMetrics;
import dev.paystream.io.retry.Retrier;
import dev.paystream.io.retry.RetryPolicy;
import dev.paystream.schemas.CustomerFeatures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import redis.clients.jedis.JedisPooled;

/**
 * Gathers a bundle's features and writes them in pipelined batches of up to {@code batchSize};
 * a batch that fails on a transient error is sent again, whole (every write in it is
 * idempotent), until it succeeds or the retry policy gives up. The bundle finishes only once all
 * its features are stored.
 */
final class WriteFeaturesFn extends DoFn<CustomerFeatures, Void> {

  private static final long serialVersionUID = 1L;

  private final Counter written =
      Metrics.counter(WriteFeaturesToRedis.METRICS_NAMESPACE, "features_written");
  private final Counter stale =
      Metrics.counter(WriteFeaturesToRedis.METRICS_NAMESPACE, "stale_features_ignored");
  private final Distribution batchMillis =
      Metrics.distribution(WriteFeaturesToRedis.METRICS_NAMESPACE, "batch_write_millis");

  private final RedisConnection connection;
  private final Duration ttl;
  private final int batchSize;
  private final RetryPolicy retry;

  private transient JedisPooled redis;
  private transient Retrier retrier;
  private transient List<CustomerFeatures> pending;

  WriteFeaturesFn(RedisConnection connection, Duration ttl, int batchSize, RetryPolicy retry) {
    this.connection = connection;
    this.ttl = ttl;
    this.batchSize = batchSize;
    this.retry = retry;
  }

  @Setup
  public void setup() {
    redis = connection.open();
    retrier =
        retry.retrier(
            WriteFeaturesToRedis.METRICS_NAMESPACE, "write", TransientRedisFailures::isTransient);
    pending = new ArrayList<>();
  }

  @StartBundle
  public void startBundle() {
    // A bundle that failed mid-way is retried from its start, possibly by this instance.
    pending.clear();
  }

  @ProcessElement
  public void processElement(@Element CustomerFeatures features) {
    pending.add(features);
    if (pending.size() >= batchSize) {
      flush();
    }
  }

  @FinishBundle
  public void finishBundle() {
    flush();
  }

  @Teardown
  public void teardown() {
    if (redis != null) {
      redis.close();
    }
  }

  private void flush() {
    if (pending.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    List<Boolean> stored =
        retrier.call(() -> NewestFeaturesScript.writeNewest(redis, pending, ttl));
    batchMillis.update(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    long writes = stored.stream().filter(Boolean::booleanValue).count();
    written.inc(writes);
    PaystreamMetrics.SINK_WRITES.labelValues(WriteFeaturesToRedis.METRICS_NAMESPACE).inc(writes);
    stale.inc(stored.size() - writes);
    pending.clear();
  }
}
