package dev.paystream.pipelines.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.paystream.io.http.TcpNoDelay;
import dev.paystream.io.postgres.ServingQueries;
import dev.paystream.io.redis.RedisFeatureStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query service's HTTP server: the JDK's {@link HttpServer} (no web framework to keep in step
 * with Beam's and Flink's dependencies) on a fixed pool of threads, GET only, JSON responses.
 */
public final class QueryServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);
  /** The OpenAPI description, served at {@code /openapi.json} and checked against {@link #routes}. */
  static final String OPENAPI = "openapi.json";
  /** Longest request path accepted (ids are at most 128 characters, percent-encoded up to 12 bytes each). */
  static final int MAX_PATH_LENGTH = 2_048;
  /**
   * Connections waiting to be accepted: a burst of new connections (an HTTP/1.1 client opens one per
   * concurrent request) beyond the system default of 50 would be refused.
   */
  private static final int BACKLOG = 1_024;

  private final HttpServer server;
  private final ExecutorService threads;
  private final ServingQueries postgres;
  private final RedisFeatureStore redis;
  private final ServiceMetrics metrics = new ServiceMetrics();
  private final List<Route> routes;

  private QueryServer(QueryConfig config, ServingQueries postgres, RedisFeatureStore redis) throws IOException {
    this.postgres = postgres;
    this.redis = redis;
    Endpoints endpoints =
        new Endpoints(postgres, redis, metrics, config.defaultPageSize(), config.maxPageSize(), Clock.systemUTC());
    this.routes = routes(endpoints, metrics, openApi());
    this.threads = Executors.newFixedThreadPool(config.threads(), daemon());
    this.server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), BACKLOG);
    server.createContext("/", this::handle);
    server.setExecutor(threads);
    server.start();
  }

  /** Opens the stores' clients (they connect lazily: a store may be down now) and starts listening. */
  public static QueryServer start(QueryConfig config) throws IOException {
    // Before the JVM's first HTTP server: without it every kept-alive response waits ~40 ms (see there).
    TcpNoDelay.enable();
    ServingQueries postgres = ServingQueries.open(config.postgres(), config.queryTimeoutSeconds());
    // A connection per request thread: fewer, and threads queue for one inside the request.
    RedisFeatureStore redis = RedisFeatureStore.open(config.redis(), config.threads());
    try {
      return new QueryServer(config, postgres, redis);
    } catch (IOException | RuntimeException e) {
      postgres.close();
      redis.close();
      throw e;
    }
  }

  /** Where it listens, e.g. {@code http://127.0.0.1:8080}. */
  public URI url() {
    InetSocketAddress address = server.getAddress();
    return URI.create("http://" + address.getHostString() + ":" + address.getPort());
  }

  /** Every route, in the order they are matched. */
  List<Route> routes() {
    return routes;
  }

  /** The endpoints; what {@code openapi.json} describes ({@code QueryServiceTest} compares them). */
  static List<Route> routes(Endpoints endpoints, ServiceMetrics metrics, Route.Response openApi) {
    Set<String> none = Set.of();
    return List.of(
        new Route("/customers/{id}/features", none, endpoints::features),
        new Route("/customers/{id}/decisions", Set.of("limit"), endpoints::decisionsOf),
        new Route("/decisions/{transactionId}", none, endpoints::decision),
        new Route("/stats", Set.of("dimension", "key", "from", "to", "limit"), endpoints::stats),
        new Route("/health", none, endpoints::health),
        new Route("/metrics", none, request -> metrics.scrape()),
        new Route("/" + OPENAPI, none, request -> openApi));
  }

  private void handle(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    String route = "unmatched";
    Route.Response response;
    try {
      String path = exchange.getRequestURI().getRawPath();
      if (!exchange.getRequestMethod().equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET");
        throw HttpError.methodNotAllowed("only GET is supported, got " + exchange.getRequestMethod());
      }
      if (path.length() > MAX_PATH_LENGTH) {
        throw HttpError.badRequest("path longer than " + MAX_PATH_LENGTH + " characters");
      }
      Route.Response answer = null;
      for (Route candidate : routes) {
        Optional<Map<String, String>> parameters = candidate.match(path);
        if (parameters.isPresent()) {
          route = candidate.template();
          Request request =
              new Request(parameters.get(), Request.parseQuery(exchange.getRequestURI().getRawQuery()))
                  .allowOnly(candidate.queryParameters());
          answer = candidate.handler().handle(request);
          break;
        }
      }
      response = answer != null ? answer : Json.error(404, "no such path: " + path);
    } catch (HttpError e) {
      response = Json.error(e.status(), e.getMessage());
    } catch (Exception e) {
      LOG.error("Request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
      response = Json.error(500, "internal error");
    }
    try (OutputStream body = exchange.getResponseBody()) {
      exchange.getResponseHeaders().set("Content-Type", response.contentType());
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.sendResponseHeaders(response.status(), response.body().length);
      body.write(response.body());
    } finally {
      metrics.request(route, response.status(), System.nanoTime() - start);
    }
  }

  static Route.Response openApi() {
    try (InputStream in = QueryServer.class.getResourceAsStream(OPENAPI)) {
      if (in == null) {
        throw new IllegalStateException("resource " + OPENAPI + " missing next to " + QueryServer.class);
      }
      return new Route.Response(200, Json.CONTENT_TYPE, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    return runnable -> {
      Thread thread = new Thread(runnable, "query-http");
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Stops listening (requests in flight get a second to finish) and closes the stores' clients. */
  @Override
  public void close() {
    server.stop(1);
    threads.shutdownNow();
    postgres.close();
    redis.close();
  }
}
