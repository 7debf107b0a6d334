package dev.paystream.io.redis;

import dev.paystream.schemas.CustomerFeatures;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.JedisPooled;

/**
 * Reads the online feature store that {@link WriteFeaturesToRedis} keeps: a customer's newest
 * features, as an online scorer would look them up.
 */
public final class RedisFeatureStore implements AutoCloseable {

  private final JedisPooled redis;

  private RedisFeatureStore(JedisPooled redis) {
    this.redis = redis;
  }

  /** Connects; {@link #close} disconnects. */
  public static RedisFeatureStore open(RedisConnection connection) {
    return new RedisFeatureStore(connection.open());
  }

  /** The customer's newest features, or empty if none are stored (or they expired). */
  public Optional<CustomerFeatures> latest(String customerId) {
    Map<String, String> hash = redis.hgetAll(FeatureHash.key(customerId));
    return hash.isEmpty() ? Optional.empty() : Optional.of(FeatureHash.parse(hash));
  }

  /** Succeeds when the server answers a PING; for health checks. */
  public void ping() {
    redis.ping();
  }

  @Override
  public void close() {
    redis.close();
  }
}
