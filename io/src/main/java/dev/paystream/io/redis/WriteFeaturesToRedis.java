package dev.paystream.io.redis;

import dev.paystream.io.retry.RetryPolicy;
import dev.paystream.schemas.CustomerFeatures;
import java.time.Duration;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * Keeps each customer's newest features in Redis, the online feature store: a hash {@code
 * features:<customer_id>} (see {@link FeatureHash}) that an older event never overwrites.
 *
 * <pre>{@code
 * features.apply("WriteFeaturesToRedis", WriteFeaturesToRedis.from(options));
 * }</pre>
 *
 * <p><b>Idempotent and order-free.</b> Each write is a compare-and-set in a Lua script (EVALSHA,
 * EVAL after a NOSCRIPT): the stored features change only for features at least as new, by event
 * time and then transaction id. Replays and out-of-order arrivals leave the same state as one
 * in-order pass. See {@link NewestFeaturesScript}.
 *
 * <p><b>Expiry.</b> A key expires {@code ttl} after its newest event time (an inactive customer's
 * features go away), or never if {@code ttl} is zero.
 *
 * <p><b>Outages.</b> Writes are pipelined per bundle, in batches of up to {@code batchSize}. While
 * Redis is unreachable (or still loading after a restart) a batch is retried under the {@link
 * RetryPolicy}, by default for ever, backing off up to 30 s; the bundle is held back meanwhile.
 * Counters, namespace {@value #METRICS_NAMESPACE}: {@code features_written}, {@code
 * stale_features_ignored}, {@code write_retries}, {@code write_failures}; distribution {@code
 * batch_write_millis} (one pipelined batch, retries included).
 */
public final class WriteFeaturesToRedis extends PTransform<PCollection<CustomerFeatures>, PDone> {

  /** Namespace of the sink's Beam counters. */
  public static final String METRICS_NAMESPACE = "redis";
  /** Days after a customer's newest event that their features expire, unless set. */
  public static final long DEFAULT_TTL_DAYS = 30;
  /** Writes per pipelined round trip, unless set. */
  public static final int DEFAULT_BATCH_SIZE = 1000;

  private static final RetryPolicy DEFAULT_RETRY =
      RetryPolicy.of(RetryPolicy.UNLIMITED, Duration.ofMillis(500), Duration.ofSeconds(30));

  private final RedisConnection connection;
  private final Duration ttl;
  private final int batchSize;
  private final RetryPolicy retry;

  private WriteFeaturesToRedis(
      RedisConnection connection, Duration ttl, int batchSize, RetryPolicy retry) {
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("ttl must not be negative, got " + ttl);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
    this.connection = connection;
    this.ttl = ttl;
    this.batchSize = batchSize;
    this.retry = retry;
  }

  /**
   * Writes to {@code connection}, features expiring {@value #DEFAULT_TTL_DAYS} days after the
   * customer's newest event, {@value #DEFAULT_BATCH_SIZE} writes per round trip, retrying for
   * ever.
   */
  public static WriteFeaturesToRedis to(RedisConnection connection) {
    return new WriteFeaturesToRedis(
        connection, Duration.ofDays(DEFAULT_TTL_DAYS), DEFAULT_BATCH_SIZE, DEFAULT_RETRY);
  }

  /** The sink as {@code options} describe it. */
  public static WriteFeaturesToRedis from(RedisSinkOptions options) {
    return to(RedisConnection.from(options))
        .withTtl(Duration.ofDays(options.getRedisFeatureTtlDays()))
        .withBatchSize(options.getRedisBatchSize())
        .withRetry(
            RetryPolicy.of(
                options.getRedisMaxRetries(),
                Duration.ofMillis(options.getRedisInitialBackoffMillis()),
                Duration.ofMillis(options.getRedisMaxBackoffMillis())));
  }

  /** Features expire {@code ttl} after the customer's newest event time; zero: never. */
  public WriteFeaturesToRedis withTtl(Duration ttl) {
    return new WriteFeaturesToRedis(connection, ttl, batchSize, retry);
  }

  /** Writes per pipelined round trip. */
  public WriteFeaturesToRedis withBatchSize(int size) {
    return new WriteFeaturesToRedis(connection, ttl, size, retry);
  }

  /** How long to keep trying while Redis is unreachable. */
  public WriteFeaturesToRedis withRetry(RetryPolicy policy) {
    return new WriteFeaturesToRedis(connection, ttl, batchSize, policy);
  }

  @Override
  public PDone expand(PCollection<CustomerFeatures> features) {
    features.apply("WriteNewest", ParDo.of(new WriteFeaturesFn(connection, ttl, batchSize, retry)));
    return PDone.in(features.getPipeline());
  }
}
