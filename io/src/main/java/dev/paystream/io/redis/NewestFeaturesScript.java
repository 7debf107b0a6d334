package dev.paystream.io.redis;

import dev.paystream.schemas.CustomerFeatures;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The Lua script that stores a customer's features only if they are at least as new as the stored
 * ones, and the pipelined calls that run it for a batch.
 *
 * <p>"Newer" is a total order, so the final state does not depend on the order writes arrive in:
 * the later event time wins; on equal event times, the greater transaction id (byte-wise, like
 * {@code COLLATE "C"} in PostgreSQL). The same features again (a replay) are written again,
 * identically, so state, expiry included, stays the same. The key expires {@code ttl} after the
 * newest event time, not after the write: an inactive customer's features go away on the same
 * schedule however often, and whenever, the events are replayed.
 */
final class NewestFeaturesScript {

  /**
   * KEYS[1] the customer's hash; ARGV[1] event time (epoch ms); ARGV[2] transaction id; ARGV[3]
   * expiry (epoch ms; 0: never); ARGV[4..] hash field, value, field, value, ... Returns 1 if it
   * wrote, 0 if the stored features are newer.
   */
  static final String SOURCE =
      """
      -- Byte-wise a < b. Lua's own < on strings follows the server's locale (Redis sets
      -- LC_COLLATE from the environment), which would make the tie-break machine-dependent.
      local function before(a, b)
        for i = 1, math.min(#a, #b) do
          local x, y = string.byte(a, i), string.byte(b, i)
          if x ~= y then return x < y end
        end
        return #a < #b
      end
      local stored = redis.call('HMGET', KEYS[1], 'event_time', 'transaction_id')
      if stored[1] then
        local storedTime, time = tonumber(stored[1]), tonumber(ARGV[1])
        if time < storedTime or (time == storedTime and before(ARGV[2], stored[2])) then
          return 0
        end
      end
      -- Replace the whole hash, so a field that is null in the new features does not linger.
      redis.call('DEL', KEYS[1])
      redis.call('HSET', KEYS[1], unpack(ARGV, 4))
      if ARGV[3] ~= '0' then
        redis.call('PEXPIREAT', KEYS[1], ARGV[3])
      end
      return 1
      """;

  static final String SHA1 = sha1(SOURCE);

  private NewestFeaturesScript() {}

  /**
   * Runs the script for every element of {@code batch}, pipelined: one round trip with EVALSHA,
   * and a second with EVAL (which also caches the script) for those the server answered NOSCRIPT,
   * as it does after a restart or SCRIPT FLUSH.
   *
   * @return per element, whether it was written (false: newer features were already stored)
   */
  static List<Boolean> writeNewest(UnifiedJedis redis, List<CustomerFeatures> batch, Duration ttl) {
    List<List<String>> argv = batch.stream().map(features -> argv(features, ttl)).toList();
    List<Response<Object>> replies = run(redis, batch, argv, false);
    List<Integer> unknownScript = new ArrayList<>();
    for (int i = 0; i < replies.size(); i++) {
      if (isNoScript(replies.get(i))) {
        unknownScript.add(i);
      }
    }
    if (!unknownScript.isEmpty()) {
      List<Response<Object>> retried =
          run(
              redis,
              unknownScript.stream().map(batch::get).toList(),
              unknownScript.stream().map(argv::get).toList(),
              true);
      for (int i = 0; i < unknownScript.size(); i++) {
        replies.set(unknownScript.get(i), retried.get(i));
      }
    }
    return replies.stream().map(reply -> Long.valueOf(1).equals(reply.get())).toList();
  }

  private static List<Response<Object>> run(
      UnifiedJedis redis, List<CustomerFeatures> batch, List<List<String>> argv, boolean eval) {
    List<Response<Object>> replies = new ArrayList<>(batch.size());
    try (AbstractPipeline pipeline = redis.pipelined()) {
      for (int i = 0; i < batch.size(); i++) {
        List<String> keys = List.of(FeatureHash.key(batch.get(i).getCustomerId()));
        replies.add(
            eval
                ? pipeline.eval(SOURCE, keys, argv.get(i))
                : pipeline.evalsha(SHA1, keys, argv.get(i)));
      }
      pipeline.sync();
    }
    return replies;
  }

  private static boolean isNoScript(Response<Object> reply) {
    try {
      reply.get();
      return false;
    } catch (JedisNoScriptException e) {
      return true;
    }
  }

  private static List<String> argv(CustomerFeatures features, Duration ttl) {
    long expireAt = ttl.isZero() ? 0 : features.getEventTime() + ttl.toMillis();
    List<String> argv = new ArrayList<>();
    argv.add(Long.toString(features.getEventTime()));
    argv.add(features.getTransactionId());
    argv.add(Long.toString(expireAt));
    for (Map.Entry<String, String> field : FeatureHash.fields(features).entrySet()) {
      argv.add(field.getKey());
      argv.add(field.getValue());
    }
    return argv;
  }

  private static String sha1(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JVM has SHA-1", e);
    }
  }
}
