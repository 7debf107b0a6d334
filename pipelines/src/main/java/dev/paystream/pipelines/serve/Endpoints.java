package dev.paystream.pipelines.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paystream.io.postgres.ServingQueries;
import dev.paystream.io.redis.RedisFeatureStore;
import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.PaymentStats;
import dev.paystream.schemas.StatsDimension;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query endpoints over the stores the pipelines fill. Every one validates its parameters
 * (400), answers 404 for an id no store knows, and 503 when the store it needs is down.
 */
final class Endpoints {
  private static final Logger LOG = LoggerFactory.getLogger(Endpoints.class);

  /** The range {@code /stats} covers when the request gives no {@code from}. */
  static final Duration DEFAULT_STATS_RANGE = Duration.ofDays(1);

  private final ServingQueries postgres;
  private final RedisFeatureStore redis;
  private final ServiceMetrics metrics;
  private final int defaultPageSize;
  private final int maxPageSize;
  private final Clock clock;

  Endpoints(
      ServingQueries postgres, RedisFeatureStore redis, ServiceMetrics metrics, int defaultPageSize, int maxPageSize, Clock clock) {
    this.postgres = postgres;
    this.redis = redis;
    this.metrics = metrics;
    this.defaultPageSize = defaultPageSize;
    this.maxPageSize = maxPageSize;
    this.clock = clock;
  }

  /**
   * The online store first (what a scorer sees); PostgreSQL's {@code customer_latest_features}
   * when Redis has nothing (the features expired, or were never written there) or is down.
   */
  Route.Response features(Request request) {
    String customerId = Parameters.id("customer id", request.path("id"));
    Optional<CustomerFeatures> features = Optional.empty();
    String source = "redis";
    try {
      features = redis.latest(customerId);
    } catch (RuntimeException e) {
      // Jedis throws unchecked exceptions; a down Redis must not take the lookup down with it.
      LOG.warn("Redis lookup failed, reading PostgreSQL instead: {}", e.toString());
      metrics.redisFailure();
    }
    if (features.isEmpty()) {
      source = "postgres";
      features = fromPostgres(() -> postgres.latestFeatures(customerId));
    }
    metrics.featureLookup(features.isPresent() ? source : "none");
    CustomerFeatures found =
        features.orElseThrow(() -> HttpError.notFound("no features for customer '" + customerId + "'"));
    ObjectNode body = Json.object().put("customer_id", customerId).put("source", source);
    body.set("features", Json.avro(found));
    return Json.response(200, body);
  }

  Route.Response decisionsOf(Request request) {
    String customerId = Parameters.id("customer id", request.path("id"));
    int limit = Parameters.limit(request.query("limit"), defaultPageSize, maxPageSize);
    List<FraudDecision> decisions = fromPostgres(() -> postgres.decisionsOf(customerId, limit));
    if (decisions.isEmpty()) {
      throw HttpError.notFound("no decisions for customer '" + customerId + "'");
    }
    ObjectNode body = Json.object().put("customer_id", customerId).put("limit", limit);
    ArrayNode list = body.putArray("decisions");
    decisions.forEach(decision -> list.add(Json.avro(decision)));
    return Json.response(200, body);
  }

  Route.Response decision(Request request) {
    String transactionId = Parameters.id("transaction id", request.path("transactionId"));
    FraudDecision decision =
        fromPostgres(() -> postgres.decision(transactionId))
            .orElseThrow(() -> HttpError.notFound("no decision for transaction '" + transactionId + "'"));
    return Json.response(200, Json.avro(decision));
  }

  /** A key's windows starting in [from, to): by default the last day, up to now. */
  Route.Response stats(Request request) {
    StatsDimension dimension = Parameters.dimension(request.query("dimension"));
    String key = Parameters.id("key", Parameters.required("key", request.query("key")));
    Instant to = Parameters.instant("to", request.query("to"), clock.instant());
    Instant from = Parameters.instant("from", request.query("from"), to.minus(DEFAULT_STATS_RANGE));
    if (!from.isBefore(to)) {
      throw HttpError.badRequest("from (" + from + ") must be before to (" + to + ")");
    }
    int limit = Parameters.limit(request.query("limit"), defaultPageSize, maxPageSize);
    List<PaymentStats> windows = fromPostgres(() -> postgres.stats(dimension, key, from, to, limit));
    ObjectNode body =
        Json.object()
            .put("dimension", dimension.name())
            .put("key", key)
            .put("from", from.toString())
            .put("to", to.toString())
            .put("limit", limit);
    ArrayNode list = body.putArray("windows");
    windows.forEach(window -> list.add(Json.avro(window)));
    return Json.response(200, body);
  }

  /** 200 when both stores answer, 503 when one does not; the body says which. */
  Route.Response health(Request request) {
    ObjectNode stores = Json.object();
    boolean up = check(stores, "postgres", postgres::ping) & check(stores, "redis", redis::ping);
    ObjectNode body = Json.object().put("status", up ? "UP" : "DOWN");
    body.set("stores", stores);
    return Json.response(up ? 200 : 503, body);
  }

  @FunctionalInterface
  private interface Check {
    void run() throws Exception;
  }

  private boolean check(ObjectNode stores, String store, Check check) {
    ObjectNode status = stores.putObject(store);
    try {
      check.run();
      status.put("status", "UP");
      metrics.storeUp(store, true);
      return true;
    } catch (Exception e) {
      status.put("status", "DOWN").put("error", e.getClass().getSimpleName());
      metrics.storeUp(store, false);
      LOG.warn("Health check: {} is down: {}", store, e.toString());
      return false;
    }
  }

  @FunctionalInterface
  private interface Query<T> {
    T run() throws SQLException;
  }

  private static <T> T fromPostgres(Query<T> query) {
    try {
      return query.run();
    } catch (SQLException e) {
      // The SQL state and message stay in the log: they may name the server and the schema.
      LOG.warn("PostgreSQL query failed: {} (SQL state {})", e.getMessage(), e.getSQLState());
      throw HttpError.unavailable("PostgreSQL is unavailable, retry later");
    }
  }
}
