package dev.paystream.io.redis;

import dev.paystream.io.secrets.Password;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
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
 * @param passwordFile a file with the password, read when the variable is unset; null or blank
 *     for none
 * @param trustedCertificate for {@code rediss://}: a PEM file of the certificate authority the
 *     server's certificate must chain to, whose host name is then verified too; null or blank for
 *     the JVM's default trust store
 */
public record RedisConnection(String url, String passwordEnv, String passwordFile, String trustedCertificate)
    implements Serializable {

  /** Connections of {@link #open()}'s pool: commons-pool's default, which the sinks were measured with. */
  public static final int DEFAULT_POOL_SIZE = 8;

  /** Checks the URL. */
  public RedisConnection {
    URI uri = URI.create(url);
    if (!JedisURIHelper.isValid(uri)
        || !(JedisURIHelper.isRedisScheme(uri) || JedisURIHelper.isRedisSSLScheme(uri))) {
      throw new IllegalArgumentException(
          "Not a redis://host:port or rediss://host:port URL: " + withoutUserInfo(uri));
    }
  }

  /** Without password file and trusted certificate, as before there were any. */
  public RedisConnection(String url, String passwordEnv) {
    this(url, passwordEnv, null, null);
  }

  /** A connection to {@code url}, with whatever password the URL holds. */
  public static RedisConnection of(String url) {
    return new RedisConnection(url, null);
  }

  /** The connection {@code options} describe. */
  public static RedisConnection from(RedisSinkOptions options) {
    return of(options.getRedisUrl())
        .withPasswordFromEnv(options.getRedisPasswordEnv())
        .withPasswordFromFile(options.getRedisPasswordFile())
        .withTrustedCertificate(options.getRedisTrustedCertificate());
  }

  /** The same, with the password read from the environment variable {@code variable}. */
  public RedisConnection withPasswordFromEnv(String variable) {
    return new RedisConnection(url, variable, passwordFile, trustedCertificate);
  }

  /** The same, with the password read from the file {@code path} when the variable is unset. */
  public RedisConnection withPasswordFromFile(String path) {
    return new RedisConnection(url, passwordEnv, path, trustedCertificate);
  }

  /** The same, trusting the certificate authority in the PEM file {@code path} for TLS. */
  public RedisConnection withTrustedCertificate(String path) {
    return new RedisConnection(url, passwordEnv, passwordFile, path);
  }

  /** Whether the connection uses TLS ({@code rediss://}). */
  public boolean tls() {
    return JedisURIHelper.isRedisSSLScheme(URI.create(url));
  }

  /** Opens a pooled client (8 connections, each checked by a PING as it is borrowed); the caller closes it. */
  public JedisPooled open() {
    // After a Redis restart every idle pooled connection is dead; a PING on borrow finds that out
    // without costing a failed batch and a backoff per dead connection.
    return open(DEFAULT_POOL_SIZE, true);
  }

  /**
   * Opens a pooled client of up to {@code connections} connections, all kept open while idle; the
   * caller closes it.
   *
   * @param pingOnBorrow whether a PING checks each connection as it is borrowed: right for batches,
   *     a round trip too many for single reads, which had better retry once on a fresh connection
   */
  public JedisPooled open(int connections, boolean pingOnBorrow) {
    if (connections < 1) {
      throw new IllegalArgumentException("connections must be at least 1, got " + connections);
    }
    URI uri = URI.create(url);
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder()
            .user(JedisURIHelper.getUser(uri))
            .password(new Password(passwordEnv, passwordFile).read().orElse(JedisURIHelper.getPassword(uri)))
            .database(JedisURIHelper.getDBIndex(uri))
            .ssl(tls())
            .clientName("paystream-feature-store");
    if (tls() && trustedCertificate != null && !trustedCertificate.isBlank()) {
      // Like sslmode=verify-full: the chain must lead to this authority and name this host.
      SSLParameters verifyHost = new SSLParameters();
      verifyHost.setEndpointIdentificationAlgorithm("HTTPS");
      config.sslSocketFactory(trusting(Path.of(trustedCertificate)).getSocketFactory()).sslParameters(verifyHost);
    }
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(connections);
    // maxIdle below maxTotal would close a connection on every return above it and open a new one
    // on the next borrow: a connect per request in a burst.
    pool.setMaxIdle(connections);
    pool.setTestOnBorrow(pingOnBorrow);
    return new JedisPooled(JedisURIHelper.getHostAndPort(uri), config.build(), pool);
  }

  /** The URL without any credentials in it. */
  @Override
  public String toString() {
    return "RedisConnection{"
        + withoutUserInfo(URI.create(url))
        + ", passwordEnv="
        + passwordEnv
        + (passwordFile == null || passwordFile.isBlank() ? "" : ", passwordFile=" + passwordFile)
        + "}";
  }

  /** A TLS context that trusts the certificates of the PEM file {@code pem} and nothing else. */
  private static SSLContext trusting(Path pem) {
    try (InputStream in = Files.newInputStream(pem)) {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      int n = 0;
      for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trusted.setCertificateEntry("ca-" + n++, certificate);
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the trusted certificate " + pem, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("Not a usable PEM certificate: " + pem, e);
    }
  }

  private static String withoutUserInfo(URI uri) {
    return uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort() + uri.getPath();
  }
}
