package dev.paystream.io.sinks;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.redis.FeatureHash;
import dev.paystream.io.redis.RedisConnection;
import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/** Reads back what the Redis sink wrote, for one test's id prefix. */
public final class FeatureKeys implements AutoCloseable {

  private final JedisPooled redis;
  private final String pattern;

  public FeatureKeys(LocalStack stack, String prefix) {
    this.redis = RedisConnection.of(stack.redisUrl()).open();
    this.pattern = FeatureHash.KEY_PREFIX + prefix + "*";
  }

  /** One key's hash and the moment it expires (epoch ms, from PTTL; 0: never). */
  public record Entry(Map<String, String> hash, long expiresAt) {}

  /** Every key of the test, with HGETALL and expiry, by key. */
  public Map<String, Entry> dump() {
    Map<String, Entry> dump = new TreeMap<>();
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = redis.scan(cursor, new ScanParams().match(pattern).count(1000));
      for (String key : page.getResult()) {
        long pttl = redis.pttl(key);
        long expiresAt = pttl < 0 ? 0 : System.currentTimeMillis() + pttl;
        dump.put(key, new Entry(redis.hgetAll(key), expiresAt));
      }
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    return dump;
  }

  /** The number of the test's keys. */
  public int count() {
    return dump().size();
  }

  /** The Redis client, for commands the test needs beyond the dump. */
  public JedisPooled redis() {
    return redis;
  }

  @Override
  public void close() {
    redis.close();
  }
}
