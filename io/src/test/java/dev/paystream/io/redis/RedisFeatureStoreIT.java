package dev.paystream.io.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.io.sinks.TestDecisions;
import dev.paystream.schemas.CustomerFeatures;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.JedisPooled;

/**
 * The feature store's reads go without a PING per borrowed connection, so a connection left dead
 * by a Redis restart must cost a retry, not a failed lookup (which the query service would answer
 * from PostgreSQL) or a failed health check.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(120)
class RedisFeatureStoreIT {
  private final LocalStack stack;
  private final TestDecisions data = new TestDecisions();

  RedisFeatureStoreIT(LocalStack stack) {
    this.stack = stack;
  }

  @Test
  void readsAgainOnANewConnectionAfterRedisRestarted() {
    CustomerFeatures features = data.decision(0, 0).getFeatures();
    RedisConnection connection = RedisConnection.of(stack.redisUrl());
    try (JedisPooled writer = connection.open()) {
      writer.hset(FeatureHash.key(features.getCustomerId()), FeatureHash.fields(features));
    }
    try (RedisFeatureStore store = RedisFeatureStore.open(connection, 2)) {
      assertEquals(Optional.of(features), store.latest(features.getCustomerId()));
      // The pooled connection that answered is idle now; the restart (data saved and reloaded) kills it.
      stack.stopRedis();
      stack.startRedis();

      assertEquals(Optional.of(features), store.latest(features.getCustomerId()));
      stack.stopRedis();
      stack.startRedis();
      store.ping();
    }
  }
}
