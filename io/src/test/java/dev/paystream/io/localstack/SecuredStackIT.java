package dev.paystream.io.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.localstack.LocalStackExtension.Secured;
import dev.paystream.io.redis.RedisConnection;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The secured local stack refuses what it must: Kafka clients with a wrong password or without an
 * ACL, PostgreSQL without TLS or password, Redis without password; and lets the right credentials
 * in over verified TLS.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(120)
class SecuredStackIT {
  private static final String USER = LocalStackExtension.SECURED_KAFKA_USERS.get(1);

  @Test
  void kafkaRefusesAWrongPasswordQuickly(@Secured LocalStack stack) {
    StackSecurity security = stack.security();
    long start = System.nanoTime();
    ExecutionException refused =
        assertThrows(ExecutionException.class, () -> listTopics(stack, security.kafkaClientProperties(USER, "wrong-password")));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertInstanceOf(SaslAuthenticationException.class, refused.getCause());
    assertTrue(millis < 10_000, "refused after " + millis + " ms");
    System.out.printf("Wrong SCRAM password refused in %d ms: %s%n", millis, refused.getCause().getMessage());
    for (String secret : security.secrets()) {
      assertFalse(refused.toString().contains(secret), "the refusal shows a password");
    }
  }

  @Test
  void kafkaLetsAUserWithoutAclsSeeNothing(@Secured LocalStack stack) throws Exception {
    String topic = "secured-" + System.nanoTime();
    stack.createTopics(Map.of(topic, 1));
    ExecutionException denied =
        assertThrows(ExecutionException.class, () -> describe(stack, USER, topic));
    assertInstanceOf(TopicAuthorizationException.class, denied.getCause());
    // The admin (a super user) sees it: the topic exists, the user is just not allowed.
    assertEquals(1, describe(stack, StackSecurity.KAFKA_ADMIN, topic));
  }

  @Test
  void postgresTakesVerifiedTlsWithPasswordOnly(@Secured LocalStack stack) throws SQLException {
    String url = stack.jdbcUrl();
    assertTrue(url.contains("sslmode=verify-full"), url);
    try (Connection connection = DriverManager.getConnection(url, stack.postgresUser(), stack.postgresPassword());
        ResultSet ssl = connection.createStatement().executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
      assertTrue(ssl.next() && ssl.getBoolean(1), "the session is encrypted");
    }
    assertThrows(SQLException.class, () -> DriverManager.getConnection(url, stack.postgresUser(), "wrong-password").close());
    String plain = url.substring(0, url.indexOf('?')) + "?sslmode=disable";
    assertThrows(SQLException.class, () -> DriverManager.getConnection(plain, stack.postgresUser(), stack.postgresPassword()).close());
  }

  @Test
  void redisTakesVerifiedTlsWithPasswordOnly(@Secured LocalStack stack, @TempDir Path dir) throws Exception {
    Path passwordFile = StackSecurity.writeOwnerOnly(dir.resolve("redis-password"), stack.security().redisPassword());
    RedisConnection connection =
        RedisConnection.of(stack.redisUrl()).withTrustedCertificate(stack.security().caCertificate().toString());
    assertTrue(connection.tls());
    try (JedisPooled redis = connection.withPasswordFromFile(passwordFile.toString()).open()) {
      assertEquals("PONG", redis.ping());
    }
    // A bare client (the pool would hide Redis's answer behind "Unable to validate object").
    try (InputStream ca = Files.newInputStream(stack.security().caCertificate())) {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, trust.getTrustManagers(), null);
      URI uri = URI.create(stack.redisUrl());
      try (Jedis redis = new Jedis(new HostAndPort(uri.getHost(), uri.getPort()),
          DefaultJedisClientConfig.builder().ssl(true).sslSocketFactory(tls.getSocketFactory()).build())) {
        JedisException refused = assertThrows(JedisException.class, redis::ping);
        assertTrue(refused.getMessage().contains("NOAUTH"), refused.getMessage());
      }
    }
    Files.delete(passwordFile);
  }

  private static void listTopics(LocalStack stack, Map<String, String> properties) throws Exception {
    try (Admin admin = Admin.create(adminConfig(stack, properties))) {
      admin.listTopics().names().get(30, TimeUnit.SECONDS);
    }
  }

  private static int describe(LocalStack stack, String user, String topic) throws Exception {
    try (Admin admin = Admin.create(adminConfig(stack, stack.security().kafkaClientProperties(user)))) {
      return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().size();
    }
  }

  private static Properties adminConfig(LocalStack stack, Map<String, String> properties) {
    Properties config = new Properties();
    config.putAll(new HashMap<>(properties));
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Duration.ofSeconds(30).toMillis());
    return config;
  }
}
