package dev.paystream.pipelines.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paystream.io.postgres.PostgresConnection;
import dev.paystream.io.postgres.PostgresSinkOptions;
import dev.paystream.io.redis.RedisConnection;
import dev.paystream.io.redis.RedisSinkOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The query service's contract without its stores: routes against openapi.json, options, parameters. */
class QueryServiceTest {
  private final JsonNode openApi = Json.parse(QueryServer.openApi().body());
  private final ServiceMetrics metrics = new ServiceMetrics();
  /** The routes of a service without stores: their shape only is checked here. */
  private final List<Route> routes =
      QueryServer.routes(
          new Endpoints(null, null, metrics, QueryConfig.DEFAULT_PAGE_SIZE, QueryConfig.MAX_PAGE_SIZE, Clock.systemUTC()),
          metrics,
          QueryServer.openApi());

  @Test
  void openApiDescribesEveryRouteAndNothingElse() {
    Set<String> documented = new TreeSet<>();
    openApi.get("paths").fieldNames().forEachRemaining(documented::add);
    assertEquals(new TreeSet<>(routes.stream().map(Route::template).toList()), documented);
  }

  @Test
  void openApiParametersAreTheOnesEachRouteTakes() {
    for (Route route : routes) {
      JsonNode operation = openApi.get("paths").get(route.template());
      assertEquals(List.of("get"), names(operation), route.template() + ": GET only");
      Map<String, List<String>> byLocation = new TreeMap<>();
      for (JsonNode parameter : operation.get("get").path("parameters")) {
        JsonNode resolved = resolve(parameter);
        byLocation.computeIfAbsent(resolved.get("in").asText(), k -> new ArrayList<>()).add(resolved.get("name").asText());
        if (resolved.get("in").asText().equals("path")) {
          assertTrue(resolved.get("required").asBoolean(), route.template());
        }
      }
      assertEquals(route.parameterNames(), byLocation.getOrDefault("path", List.of()), route.template());
      assertEquals(route.queryParameters(), new TreeSet<>(byLocation.getOrDefault("query", List.of())), route.template());
    }
  }

  @Test
  void openApiBoundsAreTheServicesBounds() {
    JsonNode limit = openApi.at("/components/parameters/Limit/schema");
    assertEquals(QueryConfig.MAX_PAGE_SIZE, limit.get("maximum").asInt());
    assertEquals(QueryConfig.DEFAULT_PAGE_SIZE, limit.get("default").asInt());
    assertEquals(Parameters.MAX_ID_LENGTH, openApi.at("/components/parameters/CustomerId/schema/maxLength").asInt());
    // Every property of the Avro records is documented under its own name.
    Set<String> features = new TreeSet<>();
    openApi.at("/components/schemas/CustomerFeatures/properties").fieldNames().forEachRemaining(features::add);
    Set<String> avro = new TreeSet<>();
    dev.paystream.schemas.CustomerFeatures.getClassSchema().getFields().forEach(f -> avro.add(f.name()));
    assertEquals(avro, features);
    Set<String> decision = new TreeSet<>();
    openApi.at("/components/schemas/FraudDecision/properties").fieldNames().forEachRemaining(decision::add);
    Set<String> decisionAvro = new TreeSet<>();
    dev.paystream.schemas.FraudDecision.getClassSchema().getFields().forEach(f -> decisionAvro.add(f.name()));
    assertEquals(decisionAvro, decision);
  }

  @Test
  void storeOptionsHaveThePipelinesNamesAndDefaults() {
    QueryConfig config = parse();
    PostgresSinkOptions postgres = PipelineOptionsFactory.as(PostgresSinkOptions.class);
    RedisSinkOptions redis = PipelineOptionsFactory.as(RedisSinkOptions.class);
    assertEquals(
        PostgresConnection.of(postgres.getPostgresJdbcUrl(), postgres.getPostgresUser())
            .withPasswordFromEnv(postgres.getPostgresPasswordEnv())
            .withPasswordFromFile(postgres.getPostgresPasswordFile())
            .withPoolSize(QueryConfig.POSTGRES_POOL_SIZE)
            .withConnectTimeout(Duration.ofMillis(QueryConfig.POSTGRES_CONNECT_TIMEOUT_MILLIS)),
        config.postgres());
    assertEquals(
        new RedisConnection(
            redis.getRedisUrl(), redis.getRedisPasswordEnv(), redis.getRedisPasswordFile(), redis.getRedisTrustedCertificate()),
        config.redis());
    assertEquals(QueryConfig.of("127.0.0.1", QueryConfig.DEFAULT_PORT, config.postgres(), config.redis()), config);
    String help = new CommandLine(new QueryService()).setUsageHelpWidth(400).getUsageMessage(CommandLine.Help.Ansi.OFF);
    assertTrue(help.contains("Default: " + redis.getRedisUrl()), help);
    assertTrue(help.contains("Default: " + postgres.getPostgresJdbcUrl()), help);
  }

  @Test
  void everyAddressIsAnOptionAndNoPasswordIs() {
    QueryConfig config =
        parse("--host=0.0.0.0", "--port=9000", "--postgresJdbcUrl=jdbc:postgresql://db:6543/pay", "--postgresUser=reader",
            "--postgresPasswordEnv=DB_SECRET", "--postgresPasswordFile=/run/secrets/db",
            "--redisUrl=rediss://cache:6380/2", "--redisPasswordEnv=CACHE_SECRET", "--redisPasswordFile=/run/secrets/cache",
            "--redisTrustedCertificate=/etc/paystream/ca.pem");
    assertEquals("0.0.0.0", config.host());
    assertEquals(9000, config.port());
    assertEquals("jdbc:postgresql://db:6543/pay", config.postgres().jdbcUrl());
    assertEquals("reader", config.postgres().user());
    assertEquals("DB_SECRET", config.postgres().passwordEnv());
    assertEquals("/run/secrets/db", config.postgres().passwordFile());
    assertEquals(
        new RedisConnection("rediss://cache:6380/2", "CACHE_SECRET", "/run/secrets/cache", "/etc/paystream/ca.pem"),
        config.redis());
    assertThrows(CommandLine.UnmatchedArgumentException.class, () -> parse("--postgresPassword=secret"));
    assertThrows(IllegalArgumentException.class, () -> parse("--maxPageSize=10", "--defaultPageSize=20"));
  }

  @Test
  void routesMatchTheirTemplateAndDecodeSegments() {
    Route features = routes.get(0);
    assertEquals(Optional.of(Map.of("id", "cust/42 a+b")), features.match("/customers/cust%2F42%20a+b/features"));
    assertEquals(Optional.empty(), features.match("/customers//features"));
    assertEquals(Optional.empty(), features.match("/customers/c1/features/"));
    assertEquals(Optional.empty(), features.match("/customers/c1/decisions"));
  }

  @Test
  void badParametersAreRejectedWithTheRule() {
    assertEquals(20, Parameters.limit(Optional.empty(), 20, 200));
    assertEquals(200, Parameters.limit(Optional.of("200"), 20, 200));
    for (String bad : List.of("0", "201", "-1", "ten", "", "99999999999")) {
      HttpError error = assertThrows(HttpError.class, () -> Parameters.limit(Optional.of(bad), 20, 200));
      assertEquals(400, error.status());
      assertTrue(error.getMessage().startsWith("limit must be an integer from 1 to 200"), error.getMessage());
    }
    assertEquals(400, assertThrows(HttpError.class, () -> Parameters.id("customer id", "x".repeat(129))).status());
    assertEquals(400, assertThrows(HttpError.class, () -> Parameters.id("customer id", "a\nb")).status());
    assertEquals("x".repeat(128), Parameters.id("customer id", "x".repeat(128)));
    assertEquals(400, assertThrows(HttpError.class, () -> Parameters.dimension(Optional.of("merchant"))).status());
    assertEquals(400, assertThrows(HttpError.class, () -> Parameters.dimension(Optional.empty())).status());
    assertEquals(400, assertThrows(HttpError.class, () -> Parameters.instant("from", Optional.of("yesterday"), null)).status());
    assertEquals(400, assertThrows(HttpError.class, () -> Request.parseQuery("limit=1&limit=2")).status());
    HttpError unknown =
        assertThrows(HttpError.class, () -> new Request(Map.of(), Map.of("limt", "5")).allowOnly(Set.of("limit")));
    assertEquals("unknown parameter 'limt'; allowed: limit", unknown.getMessage());
  }

  private static QueryConfig parse(String... args) {
    QueryService service = new QueryService();
    new CommandLine(service).parseArgs(args);
    return service.config();
  }

  private JsonNode resolve(JsonNode parameter) {
    if (!parameter.has("$ref")) {
      return parameter;
    }
    return openApi.at(parameter.get("$ref").asText().substring(1));
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
