package dev.paystream.pipelines.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.io.localstack.LocalStackExtension.Secured;
import dev.paystream.io.localstack.StackSecurity;
import dev.paystream.io.postgres.SchemaMigrations;
import dev.paystream.io.redis.FeatureHash;
import dev.paystream.io.redis.RedisConnection;
import dev.paystream.pipelines.Secrets;
import dev.paystream.schemas.CustomerFeatures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import redis.clients.jedis.JedisPooled;

/**
 * The query service on the secured stack, configured as a deployment would be: PostgreSQL over
 * TLS with {@code sslmode=verify-full} against the stack's authority, Redis over TLS ({@code
 * rediss://}) trusting that authority, both passwords from files ({@code --postgresPasswordFile},
 * {@code --redisPasswordFile}). It answers from both stores, and without a password file or the
 * trusted certificate the store it concerns is reported down: those options are what let it in.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(120)
class QueryServiceSecuredIT {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void readsBothStoresOverVerifiedTlsWithPasswordFiles(@Secured LocalStack stack, @TempDir Path dir) throws Exception {
    StackSecurity security = stack.security();
    String postgresPassword =
        StackSecurity.writeOwnerOnly(dir.resolve("postgres-password"), security.postgresPassword()).toString();
    String redisPassword = StackSecurity.writeOwnerOnly(dir.resolve("redis-password"), security.redisPassword()).toString();
    String ca = security.caCertificate().toString();
    migrateSchema(stack);
    CustomerFeatures features = features("secured-customer");
    try (JedisPooled redis =
        RedisConnection.of(stack.redisUrl()).withPasswordFromFile(redisPassword).withTrustedCertificate(ca).open()) {
      redis.hset(FeatureHash.key(features.getCustomerId().toString()), FeatureHash.fields(features));
    }
    List<String> secured =
        List.of(
            "--port=0",
            "--postgresJdbcUrl=" + stack.jdbcUrl(), // sslmode=verify-full&sslrootcert=<the stack's CA>
            "--postgresUser=" + stack.postgresUser(),
            "--postgresPasswordEnv=", // none: only the file, whatever the environment holds
            "--postgresPasswordFile=" + postgresPassword,
            "--redisUrl=" + stack.redisUrl(), // rediss://
            "--redisPasswordEnv=",
            "--redisPasswordFile=" + redisPassword,
            "--redisTrustedCertificate=" + ca);
    StringBuilder shown = new StringBuilder();

    try (QueryServer server = QueryServer.start(config(secured))) {
      URI url = server.url();
      JsonNode health = assertStatus(url, "/health", 200, shown);
      assertEquals("UP", health.at("/stores/postgres/status").asText(), health::toString);
      assertEquals("UP", health.at("/stores/redis/status").asText(), health::toString);
      JsonNode served = assertStatus(url, "/customers/secured-customer/features", 200, shown);
      assertEquals("redis", served.get("source").asText());
      assertEquals(features.getAmount(), served.at("/features/amount").asLong());
      // An unknown id: the query ran on PostgreSQL (over TLS, as the user of the password file).
      assertStatus(url, "/decisions/no-such-transaction", 404, shown);
      assertStatus(url, "/customers/no-such-customer/features", 404, shown);
      shown.append(new String(get(url, "/metrics").body(), StandardCharsets.UTF_8));
    }

    // Each secured option is needed: without it, the store it concerns is down.
    assertDown(without(secured, "--postgresPasswordFile="), "postgres", shown);
    assertDown(without(secured, "--redisPasswordFile="), "redis", shown);
    assertDown(without(secured, "--redisTrustedCertificate="), "redis", shown);
    Secrets.assertNoneIn(security, shown.toString(), "the query service's responses");
  }

  private void assertDown(List<String> args, String store, StringBuilder shown) throws Exception {
    try (QueryServer server = QueryServer.start(config(args))) {
      JsonNode health = assertStatus(server.url(), "/health", 503, shown);
      assertEquals("DOWN", health.at("/stores/" + store + "/status").asText(), health::toString);
    }
  }

  private static QueryConfig config(List<String> args) {
    QueryService service = new QueryService();
    new picocli.CommandLine(service).parseArgs(args.toArray(String[]::new));
    return service.config();
  }

  private static List<String> without(List<String> args, String prefix) {
    List<String> rest = new ArrayList<>(args);
    rest.removeIf(arg -> arg.startsWith(prefix));
    return rest;
  }

  /** The pipelines' schema, as their PostgreSQL sink creates it. */
  private static void migrateSchema(LocalStack stack) {
    PGSimpleDataSource postgres = new PGSimpleDataSource();
    postgres.setURL(stack.jdbcUrl());
    postgres.setUser(stack.postgresUser());
    postgres.setPassword(stack.postgresPassword());
    SchemaMigrations.migrate(postgres);
  }

  private static CustomerFeatures features(String customer) {
    return CustomerFeatures.newBuilder()
        .setCustomerId(customer).setTransactionId("tx-secured").setEventTime(System.currentTimeMillis())
        .setAmount(4_200).setPaymentsLast5m(1).setPaymentsLast1h(1).setAmountSum24h(4_200).setSecondsSincePrevious(60.0)
        .setHourOfDay(12).setUnusualHour(false).setHistoryCount(3).setAmountMean(4_000.0).setAmountStddev(100.0)
        .setAmountZscore(2.0)
        .build();
  }

  private JsonNode assertStatus(URI url, String path, int status, StringBuilder shown) throws Exception {
    HttpResponse<byte[]> response = get(url, path);
    String body = new String(response.body(), StandardCharsets.UTF_8);
    shown.append(body).append('\n');
    assertEquals(status, response.statusCode(), () -> path + ": " + body);
    return Json.parse(response.body());
  }

  private HttpResponse<byte[]> get(URI url, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }
}
