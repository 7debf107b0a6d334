package dev.paystream.pipelines.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The query service's Prometheus metrics, in a registry of its own (a test may start several
 * services in one JVM): requests by route and status, their latency, where feature lookups were
 * answered from, Redis failures, and each store's state at the last health check.
 */
final class ServiceMetrics {
  /** Buckets around the 5 ms a feature lookup should take at p99. */
  private static final double[] LATENCY_BUCKETS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5
  };

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests =
      Counter.builder()
          .name("paystream_query_requests")
          .help("HTTP requests answered, by route template and status")
          .labelNames("route", "status")
          .register(registry);
  private final Histogram latency =
      Histogram.builder()
          .name("paystream_query_request_seconds")
          .help("Time from a request's arrival to its response being written, by route template")
          .labelNames("route")
          .classicOnly()
          .classicUpperBounds(LATENCY_BUCKETS)
          .register(registry);
  private final Counter featureLookups =
      Counter.builder()
          .name("paystream_query_feature_lookups")
          .help("Feature lookups by the store that answered (redis, postgres) or none (404)")
          .labelNames("source")
          .register(registry);
  private final Counter redisFailures =
      Counter.builder()
          .name("paystream_query_redis_failures")
          .help("Feature lookups that Redis failed and PostgreSQL answered instead")
          .register(registry);
  private final Gauge storeUp =
      Gauge.builder()
          .name("paystream_query_store_up")
          .help("1 if the store answered the last health check, else 0")
          .labelNames("store")
          .register(registry);

  void request(String route, int status, long nanos) {
    requests.labelValues(route, Integer.toString(status)).inc();
    latency.labelValues(route).observe(nanos / 1e9);
  }

  void featureLookup(String source) {
    featureLookups.labelValues(source).inc();
  }

  void redisFailure() {
    redisFailures.inc();
  }

  void storeUp(String store, boolean up) {
    storeUp.labelValues(store).set(up ? 1 : 0);
  }

  /** The text exposition format (version 0.0.4) of every metric. */
  Route.Response scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Route.Response(200, PrometheusTextFormatWriter.CONTENT_TYPE, out.toByteArray());
  }
}
