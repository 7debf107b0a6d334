package dev.paystream.pipelines.serve;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.io.postgres.PostgresConnection;
import dev.paystream.io.postgres.StoredPaymentStats;
import dev.paystream.io.redis.FeatureHash;
import dev.paystream.io.redis.RedisConnection;
import dev.paystream.pipelines.AnalyticsCheck;
import dev.paystream.pipelines.AnalyticsOptions;
import dev.paystream.pipelines.FraudDetectionOptions;
import dev.paystream.pipelines.FraudRun;
import dev.paystream.pipelines.KafkaConnections;
import dev.paystream.pipelines.KnownInput;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.PaymentStats;
import dev.paystream.schemas.StatsDimension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.JedisPooled;

/**
 * The query service over stores filled by real pipeline runs: the fraud pipeline (DirectRunner,
 * PostgreSQL and Redis sinks) and an analytics backfill over the same payments. Each endpoint's
 * answer must equal what the pipelines committed to Kafka and wrote to PostgreSQL; then the
 * failure paths: bad parameters, unknown ids, and a store going down.
 */
@ExtendWith(LocalStackExtension.class)
class QueryServiceIT {
  private static final int RECORDS = 200;
  private static final Duration PIPELINE = Duration.ofMinutes(3);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void servesWhatThePipelinesWroteAndSaysWhenAStoreIsDown(LocalStack stack) throws Exception {
    String run = "query" + System.nanoTime();
    KnownInput input = KnownInput.generate(RECORDS, System.currentTimeMillis() - Duration.ofHours(3).toMillis());
    List<FraudDecision> decisions = runFraudPipeline(stack, run, input);
    AnalyticsOptions analytics = analyticsOptions(stack, run);
    AnalyticsCheck.runBackfill(analytics);

    QueryConfig config =
        QueryConfig.of(
            "127.0.0.1", 0, PostgresConnection.of(stack.jdbcUrl(), stack.postgresUser()), RedisConnection.of(stack.redisUrl()));
    try (QueryServer server = QueryServer.start(config)) {
      URI url = server.url();
      assertEquals(200, get(url, "/health").statusCode());
      everyDecisionIsServedAsCommitted(url, decisions);
      customersFeaturesAreTheirNewestDecisionsFeatures(url, stack, decisions);
      customersDecisionsArePagedNewestFirst(url, decisions);
      statsAreTheRowsTheAnalyticsPipelineWrote(url, stack);
      badRequestsAndUnknownIdsGetClearErrors(url);
      metricsCountTheRequests(url, decisions.size());
      healthIs503WhileAStoreIsDown(url, stack, decisions);
    }
  }

  private void everyDecisionIsServedAsCommitted(URI url, List<FraudDecision> decisions) throws Exception {
    for (FraudDecision decision : decisions) {
      HttpResponse<byte[]> response = get(url, "/decisions/" + encode(decision.getTransactionId()));
      assertEquals(200, response.statusCode(), decision.getTransactionId());
      assertEquals(json(decision), Json.parse(response.body()));
    }
  }

  private void customersFeaturesAreTheirNewestDecisionsFeatures(URI url, LocalStack stack, List<FraudDecision> decisions)
      throws Exception {
    Map<String, FraudDecision> newest =
        decisions.stream()
            .collect(Collectors.toMap(FraudDecision::getCustomerId, Function.identity(), (a, b) -> NEWEST.compare(a, b) >= 0 ? a : b));
    for (FraudDecision expected : newest.values()) {
      JsonNode body = Json.parse(get(url, "/customers/" + encode(expected.getCustomerId()) + "/features").body());
      assertEquals("redis", body.get("source").asText(), expected.getCustomerId());
      assertEquals(json(expected.getFeatures()), body.get("features"),
          () -> expected.getCustomerId() + "'s decisions: " + decisions.stream()
              .filter(d -> d.getCustomerId().equals(expected.getCustomerId())).map(QueryServiceIT::json).toList());
    }
    // One the online store lost (expired, evicted): PostgreSQL's customer_latest_features answers alike.
    FraudDecision lost = newest.values().iterator().next();
    try (JedisPooled redis = RedisConnection.of(stack.redisUrl()).open()) {
      redis.del(FeatureHash.key(lost.getCustomerId()));
    }
    JsonNode body = Json.parse(get(url, "/customers/" + encode(lost.getCustomerId()) + "/features").body());
    assertEquals("postgres", body.get("source").asText());
    assertEquals(json(lost.getFeatures()), body.get("features"));
    assertEquals(lost.getFeatures().getAmount(), body.at("/features/amount").asLong());
    assertEquals(lost.getTransactionId(), body.at("/features/transaction_id").asText());
  }

  private void customersDecisionsArePagedNewestFirst(URI url, List<FraudDecision> decisions) throws Exception {
    Map<String, List<FraudDecision>> byCustomer = decisions.stream().collect(Collectors.groupingBy(FraudDecision::getCustomerId));
    String busiest = byCustomer.entrySet().stream().max(Comparator.comparingInt(e -> e.getValue().size())).orElseThrow().getKey();
    List<FraudDecision> expected = byCustomer.get(busiest).stream().sorted(NEWEST.reversed()).toList();
    assertTrue(expected.size() > 3, "the busiest customer has " + expected.size() + " decisions");
    JsonNode page = Json.parse(get(url, "/customers/" + encode(busiest) + "/decisions?limit=3").body());
    assertEquals(3, page.get("limit").asInt());
    assertEquals(expected.subList(0, 3).stream().map(QueryServiceIT::json).toList(), list(page.get("decisions")));
    JsonNode all = Json.parse(get(url, "/customers/" + encode(busiest) + "/decisions?limit=" + QueryConfig.MAX_PAGE_SIZE).body());
    assertEquals(expected.stream().map(QueryServiceIT::json).toList(), list(all.get("decisions")));
    JsonNode byDefault = Json.parse(get(url, "/customers/" + encode(busiest) + "/decisions").body());
    assertEquals(Math.min(expected.size(), QueryConfig.DEFAULT_PAGE_SIZE), byDefault.get("decisions").size());
  }

  private void statsAreTheRowsTheAnalyticsPipelineWrote(URI url, LocalStack stack) throws Exception {
    List<PaymentStats> stored;
    try (Connection connection = DriverManager.getConnection(stack.jdbcUrl(), stack.postgresUser(), stack.postgresPassword())) {
      stored = StoredPaymentStats.read(connection, "");
    }
    for (StatsDimension dimension : StatsDimension.values()) {
      List<PaymentStats> rows = stored.stream().filter(s -> s.getDimension() == dimension).toList();
      assertFalse(rows.isEmpty(), "the analytics backfill wrote " + dimension + " rows");
      String key = rows.get(0).getKey();
      List<PaymentStats> expected = rows.stream().filter(s -> s.getKey().equals(key)).toList(); // in window order
      Instant from = Instant.ofEpochMilli(expected.get(0).getWindow().getStart());
      Instant to = Instant.ofEpochMilli(expected.get(expected.size() - 1).getWindow().getStart() + 1);
      String query = "/stats?dimension=" + dimension + "&key=" + encode(key) + "&from=" + from + "&to=" + to + "&limit=" + QueryConfig.MAX_PAGE_SIZE;
      JsonNode body = Json.parse(get(url, query).body());
      assertEquals(expected.stream().map(QueryServiceIT::json).toList(), list(body.get("windows")), query);
      // [from, to) excludes a window starting at to.
      String fewer = "/stats?dimension=" + dimension + "&key=" + encode(key) + "&from=" + from.minusMillis(1) + "&to=" + to.minusMillis(1);
      assertEquals(expected.size() - 1, Json.parse(assertStatus(url, fewer, 200).body()).get("windows").size(), fewer);
    }
  }

  private void badRequestsAndUnknownIdsGetClearErrors(URI url) throws Exception {
    assertError(url, "/customers/c1/decisions?limit=0", 400, "limit must be an integer from 1 to " + QueryConfig.MAX_PAGE_SIZE + ", got '0'");
    assertError(url, "/customers/c1/decisions?limit=" + (QueryConfig.MAX_PAGE_SIZE + 1), 400, "limit must be an integer from 1");
    assertError(url, "/customers/c1/decisions?limt=5", 400, "unknown parameter 'limt'; allowed: limit");
    assertError(url, "/customers/" + "x".repeat(129) + "/features", 400, "customer id must be 1 to 128 characters");
    assertError(url, "/stats?key=m1", 400, "parameter 'dimension' is required");
    assertError(url, "/stats?dimension=SHOP&key=m1", 400, "dimension must be one of [MERCHANT, MERCHANT_CATEGORY, PAYMENT_METHOD]");
    assertError(url, "/stats?dimension=MERCHANT", 400, "parameter 'key' is required");
    assertError(url, "/stats?dimension=MERCHANT&key=m1&from=yesterday", 400, "from must be an ISO-8601 instant");
    assertError(url, "/stats?dimension=MERCHANT&key=m1&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", 400,
        "from (2026-01-02T00:00:00Z) must be before to (2026-01-01T00:00:00Z)");
    assertError(url, "/customers/nobody/features", 404, "no features for customer 'nobody'");
    assertError(url, "/customers/nobody/decisions", 404, "no decisions for customer 'nobody'");
    assertError(url, "/decisions/no-such-payment", 404, "no decision for transaction 'no-such-payment'");
    assertError(url, "/customers", 404, "no such path: /customers");
    HttpResponse<byte[]> post =
        http.send(HttpRequest.newBuilder(url.resolve("/health")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(405, post.statusCode());
    // An unknown key is no error: it has no windows.
    assertEquals(0, Json.parse(get(url, "/stats?dimension=MERCHANT&key=nobody").body()).get("windows").size());
    JsonNode openApi = Json.parse(get(url, "/openapi.json").body());
    assertTrue(openApi.get("paths").has("/stats"));
  }

  private void metricsCountTheRequests(URI url, int decisions) throws Exception {
    HttpResponse<byte[]> metrics = get(url, "/metrics");
    assertEquals(200, metrics.statusCode());
    String text = new String(metrics.body(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(
        text.contains("paystream_query_requests_total{route=\"/decisions/{transactionId}\",status=\"200\"} " + decisions + ".0"),
        text);
    assertTrue(text.contains("paystream_query_feature_lookups_total{source=\"postgres\"} 1.0"), text);
    assertTrue(text.contains("paystream_query_request_seconds_bucket{route=\"/customers/{id}/features\",le=\"0.005\"}"), text);
  }

  private void healthIs503WhileAStoreIsDown(URI url, LocalStack stack, List<FraudDecision> decisions) throws Exception {
    FraudDecision any = decisions.get(0);
    stack.stopRedis();
    try {
      JsonNode health = Json.parse(assertStatus(url, "/health", 503).body());
      assertEquals("DOWN", health.get("status").asText());
      assertEquals("DOWN", health.at("/stores/redis/status").asText());
      assertEquals("UP", health.at("/stores/postgres/status").asText());
      // Features are still served, from PostgreSQL.
      JsonNode features = Json.parse(assertStatus(url, "/customers/" + encode(any.getCustomerId()) + "/features", 200).body());
      assertEquals("postgres", features.get("source").asText());
    } finally {
      stack.startRedis();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> get(url, "/health").statusCode() == 200);

    stack.stopPostgres();
    try {
      JsonNode health = Json.parse(assertStatus(url, "/health", 503).body());
      assertEquals("DOWN", health.at("/stores/postgres/status").asText());
      assertEquals("UP", health.at("/stores/redis/status").asText());
      assertError(url, "/decisions/" + encode(any.getTransactionId()), 503, "PostgreSQL is unavailable, retry later");
    } finally {
      stack.startPostgres();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> get(url, "/health").statusCode() == 200);
    assertEquals(json(any), Json.parse(assertStatus(url, "/decisions/" + encode(any.getTransactionId()), 200).body()));
  }

  /** The fraud pipeline over {@code input}, until PostgreSQL and Redis hold all it decided. */
  private static List<FraudDecision> runFraudPipeline(LocalStack stack, String run, KnownInput input) throws Exception {
    FraudDetectionOptions options = PipelineOptionsFactory.create().as(FraudDetectionOptions.class);
    options.setRunner(DirectRunner.class);
    options.as(DirectOptions.class).setBlockOnRun(false);
    options.as(DirectOptions.class).setEnforceImmutability(false);
    KnownInput.withTestTopics(options, stack, run);
    options.setSinkGroupId("sink-" + run);
    options.setWriteToPostgres(true);
    options.setPostgresJdbcUrl(stack.jdbcUrl());
    options.setPostgresUser(stack.postgresUser());
    options.setWriteToRedis(true);
    options.setRedisUrl(stack.redisUrl());
    stack.createTopics(Map.of(options.getPaymentsTopic(), 4, options.getDecisionsTopic(), 4, options.getDeadLetterTopic(), 1));
    input.produce(KafkaConnections.from(options), options.getPaymentsTopic(), 0, RECORDS);
    long customers = input.validPayments().stream().map(p -> p.getCustomerId().toString()).distinct().count();
    FraudRun.Output output =
        FraudRun.runUntil(
            options, input.validIds.size(), input.malformedReasons.size(), PIPELINE, Duration.ofSeconds(1),
            result -> await().atMost(PIPELINE).pollInterval(Duration.ofMillis(500))
                .until(() -> rows(stack, "SELECT count(*) FROM fraud_decisions") == input.validIds.size()
                    && redisHoldsEveryNewestPayment(stack, customers)));
    assertEquals(input.validIds.size(), output.decisions().size(), "one decision per valid payment");
    assertEquals(input.validIds.size(),
        output.decisions().stream().map(d -> d.getTransactionId().toString()).distinct().count(), "each payment decided once");
    return output.decisions();
  }

  private static AnalyticsOptions analyticsOptions(LocalStack stack, String run) throws Exception {
    AnalyticsOptions options = PipelineOptionsFactory.create().as(AnalyticsOptions.class);
    options.setRunner(DirectRunner.class);
    options.as(DirectOptions.class).setEnforceImmutability(false);
    options.as(DirectOptions.class).setEnforceEncodability(false);
    AnalyticsCheck.withTestTopics(options, stack, run);
    AnalyticsCheck.createTopics(stack, options);
    return options;
  }

  private static long rows(LocalStack stack, String sql) throws Exception {
    try (Connection connection = DriverManager.getConnection(stack.jdbcUrl(), stack.postgresUser(), stack.postgresPassword());
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getLong(1);
    } catch (java.sql.SQLException e) {
      return -1; // the table does not exist before the sink's first write
    }
  }

  /**
   * Whether Redis holds, for each of the {@code customers}, the features of their newest payment in
   * PostgreSQL. A key per customer is not enough: the Redis sink writes apart from the PostgreSQL
   * one, and a customer's key exists from their first payment on, so the job could be cancelled
   * before a later payment's features reached Redis (an older decision's features would then be served).
   */
  private static boolean redisHoldsEveryNewestPayment(LocalStack stack, long customers) {
    Map<String, String> newest = new java.util.HashMap<>();
    try (Connection connection = DriverManager.getConnection(stack.jdbcUrl(), stack.postgresUser(), stack.postgresPassword());
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT customer_id, transaction_id FROM customer_latest_features")) {
      while (rows.next()) {
        newest.put(rows.getString(1), rows.getString(2));
      }
    } catch (java.sql.SQLException e) {
      return false; // the view does not exist before the sink's first write
    }
    if (newest.size() != customers) {
      return false;
    }
    try (JedisPooled redis = RedisConnection.of(stack.redisUrl()).open()) {
      return newest.entrySet().stream()
          .allMatch(customer -> customer.getValue().equals(redis.hget(FeatureHash.key(customer.getKey()), "transaction_id")));
    }
  }

  /** Newest first is the reverse of this: event time, then transaction id (the stores' order). */
  private static final Comparator<FraudDecision> NEWEST =
      Comparator.comparingLong(FraudDecision::getEventTime).thenComparing(d -> d.getTransactionId().toString());

  private HttpResponse<byte[]> get(URI url, String pathAndQuery) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url + pathAndQuery)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> assertStatus(URI url, String pathAndQuery, int status) throws Exception {
    HttpResponse<byte[]> response = get(url, pathAndQuery);
    assertEquals(status, response.statusCode(), () -> pathAndQuery + ": " + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
    return response;
  }

  private void assertError(URI url, String pathAndQuery, int status, String messageStart) throws Exception {
    JsonNode body = Json.parse(assertStatus(url, pathAndQuery, status).body());
    assertEquals(status, body.get("status").asInt());
    assertTrue(body.get("error").asText().startsWith(messageStart), () -> pathAndQuery + ": " + body);
  }

  /** The JSON the service should answer for an Avro value, read back as a client reads it. */
  private static JsonNode json(Object avro) {
    return Json.parse(Json.response(200, Json.avro(avro)).body());
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> list = new java.util.ArrayList<>();
    array.forEach(list::add);
    return list;
  }

  private static String encode(CharSequence id) {
    return java.net.URLEncoder.encode(id.toString(), java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }
}
