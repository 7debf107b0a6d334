package dev.paystream.io.redis;

import dev.paystream.schemas.CustomerFeatures;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Reads the online feature store that {@link WriteFeaturesToRedis} keeps: a customer's newest
 * features, as an online scorer would look them up.
 *
 * <p>One round trip per lookup: its pooled connections are not PINGed as they are borrowed (as the
 * sinks' are), which would double the round trips and the wake-ups of a lookup. A connection that
 * turns out dead (Redis restarted since it was last used) costs one retry instead.
 */
public final class RedisFeatureStore implements AutoCloseable {

  private final JedisPooled redis;

  private RedisFeatureStore(JedisPooled redis) {
    this.redis = redis;
  }

  /**
   * Connects with up to {@code connections} pooled connections (one per thread that reads at once,
   * or threads wait for one); {@link #close} disconnects.
   */
  public static RedisFeatureStore open(RedisConnection connection, int connections) {
    return new RedisFeatureStore(connection.open(connections, false));
  }

  /** The customer's newest features, or empty if none are stored (or they expired). */
  public Optional<CustomerFeatures> latest(String customerId) {
    Map<String, String> hash = reconnectingOnce(() -> redis.hgetAll(FeatureHash.key(customerId)));
    return hash.isEmpty() ? Optional.empty() : Optional.of(FeatureHash.parse(hash));
  }

  /** Succeeds when the server answers a PING; for health checks. */
  public void ping() {
    reconnectingOnce(redis::ping);
  }

  /**
   * Runs {@code command}; if its connection is dead, drops every idle pooled connection (after a
   * Redis restart they are all dead; Jedis already dropped the one that failed) and runs it once more
   * on a new one. A Redis that is down fails the second time too.
   */
  private <T> T reconnectingOnce(Supplier<T> command) {
    try {
      return command.get();
    } catch (JedisConnectionException deadConnection) {
      redis.getPool().clear();
      return command.get();
    }
  }

  @Override
  public void close() {
    redis.close();
  }
}
