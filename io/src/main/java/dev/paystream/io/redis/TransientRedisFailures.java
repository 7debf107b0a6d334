package dev.paystream.io.redis;

import redis.clients.jedis.exceptions.JedisBusyException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/** Tells the Redis failures that go away by themselves from those that would happen again. */
final class TransientRedisFailures {

  private TransientRedisFailures() {}

  /**
   * Unreachable or dropped connections, a server still loading its data after a restart
   * ({@code LOADING}), and a server busy with a long script ({@code BUSY}).
   */
  static boolean isTransient(Exception failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof JedisConnectionException || t instanceof JedisBusyException) {
        return true;
      }
      if (t instanceof JedisDataException && String.valueOf(t.getMessage()).startsWith("LOADING")) {
        return true;
      }
    }
    return false;
  }
}
