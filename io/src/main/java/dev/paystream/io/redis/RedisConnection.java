package dev.paystream.io.redis;

import java.io.Serializable;
import java.net.URI;
import java.util.Optional;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * How to reach Redis: {@code redis://[user[:password]@]host:port[/db]}, or {@code rediss://...}
 * for TLS (the JVM's default trust store applies, e.g. {@code -Djavax.net.ssl.trustStore}).
 *
 * <p>A password is best taken from an environment variable ({@link #withPasswordFromEnv}): the URL
 * travels with the pipeline and shows up in logs and the runner's UI, the variable's value does
 * not. A set variable wins over a password in the URL.
 *
 * @param url the server's URL; port required
 * @param passwordEnv the environment variable with the password; null or blank for none
 */
public record RedisConnection(String url, String passwordEnv) implements Serializable {

  /** Checks the URL. */
  public RedisConnection {
    URI uri = URI.create(url);
    if (!JedisURIHelper.isValid(uri)
        || !(JedisURIHelper.isRedisScheme(uri) || JedisURIHelper.isRedisSSLScheme(uri))) {
      throw new IllegalArgumentException(
          "Not a redis://host:port or rediss://host:port URL: " + withoutUserInfo(uri));
    }
  }

  /** A connection to {@code url}, with whatever password the URL holds. */
  public static RedisConnection of(String url) {
    return new RedisConnection(url, null);
  }

  /** The same, with the password read from the environment variable {@code variable}. */
  public RedisConnection withPasswordFromEnv(String variable) {
    return new RedisConnection(url, variable);
  }

  /** Whether the connection uses TLS ({@code rediss://}). */
  public boolean tls() {
    return JedisURIHelper.isRedisSSLScheme(URI.create(url));
  }

  /** Opens a pooled client; the caller closes it. */
  public JedisPooled open() {
    URI uri = URI.create(url);
    DefaultJedisClientConfig config =
        DefaultJedisClientConfig.builder()
            .user(JedisURIHelper.getUser(uri))
            .password(envPassword().orElse(JedisURIHelper.getPassword(uri)))
            .database(JedisURIHelper.getDBIndex(uri))
            .ssl(tls())
            .clientName("paystream-feature-store")
            .build();
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    // After a Redis restart every idle pooled connection is dead; a PING on borrow finds that out
    // without costing a failed batch and a backoff per dead connection.
    pool.setTestOnBorrow(true);
    return new JedisPooled(JedisURIHelper.getHostAndPort(uri), config, pool);
  }

  /** The URL without any credentials in it. */
  @Override
  public String toString() {
    return "RedisConnection{"
        + withoutUserInfo(URI.create(url))
        + ", passwordEnv="
        + passwordEnv
        + "}";
  }

  private Optional<String> envPassword() {
    return Optional.ofNullable(passwordEnv)
        .filter(name -> !name.isBlank())
        .map(System::getenv)
        .filter(value -> !value.isEmpty());
  }

  private static String withoutUserInfo(URI uri) {
    return uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort() + uri.getPath();
  }
}
