package dev.paystream.io.metrics;

import dev.paystream.io.http.TcpNoDelay;
import dev.paystream.io.kafka.ConsumerLag;
import dev.paystream.io.kafka.ConsumerLag.PartitionLag;
import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.kafka.PayloadEventTime;
import dev.paystream.schemas.metrics.PaystreamMetrics;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's Prometheus endpoint ({@code http://host:port/metrics}, the JVM's default registry,
 * so every {@link PaystreamMetrics} of every step in it) and the lag gauges, each started once per
 * JVM however many DoFn instances ask: the DirectRunner process has one, each Flink TaskManager has
 * one. A port spec is {@code 0} (none), a port, or a range {@code from-to} whose first free port is
 * taken, so that TaskManagers sharing a host each get one (as Flink's own reporter does).
 */
public final class MetricsEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);

  private static HTTPServer server;
  private static ScheduledExecutorService lagPoller;
  private static final Map<String, ConsumerLag> WATCHED = new HashMap<>();

  private MetricsEndpoint() {}

  /**
   * Starts the endpoint on the first free port of {@code portSpec} unless one runs in this JVM;
   * returns its port (empty for spec 0, or when every port of the range is taken: metrics must
   * never stop a pipeline).
   */
  public static synchronized OptionalInt start(String portSpec) {
    if (server != null) {
      return OptionalInt.of(server.getPort());
    }
    int[] range = range(portSpec);
    if (range[0] == 0) {
      return OptionalInt.empty();
    }
    TcpNoDelay.enable();
    for (int port = range[0]; port <= range[1]; port++) {
      try {
        server = HTTPServer.builder().port(port).buildAndStart();
        LOG.info("Prometheus metrics on http://localhost:{}/metrics", server.getPort());
        return OptionalInt.of(server.getPort());
      } catch (IOException taken) {
        LOG.debug("Metrics port {} taken: {}", port, taken.toString());
      }
    }
    LOG.warn("No free port in {} for the metrics endpoint: this process exports no metrics", portSpec);
    return OptionalInt.empty();
  }

  /** The running endpoint's port, if any. */
  public static synchronized OptionalInt port() {
    return server == null ? OptionalInt.empty() : OptionalInt.of(server.getPort());
  }

  /** Stops the endpoint and the lag readings (a demo or test that is done). */
  public static synchronized void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
    if (lagPoller != null) {
      // No interrupt: a Kafka client interrupted mid-call logs errors; a reading ends within seconds.
      lagPoller.shutdown();
      try {
        lagPoller.awaitTermination(15, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      lagPoller = null;
      WATCHED.values().forEach(ConsumerLag::close);
      WATCHED.clear();
    }
  }

  /**
   * Sets the {@code paystream_consumer_lag_*} gauges of {@code group} on {@code topic} every
   * {@code periodSeconds}, from a daemon thread, once per JVM and group/topic.
   */
  public static synchronized void watchLag(
      KafkaConnection kafka, PayloadEventTime eventTime, String group, String topic, int periodSeconds) {
    String key = group + "\u0000" + topic;
    if (WATCHED.containsKey(key)) {
      return;
    }
    if (lagPoller == null) {
      lagPoller =
          Executors.newSingleThreadScheduledExecutor(
              task -> {
                Thread thread = new Thread(task, "paystream-lag-gauges");
                thread.setDaemon(true);
                return thread;
              });
    }
    ConsumerLag lag = ConsumerLag.on(kafka, eventTime);
    WATCHED.put(key, lag);
    lagPoller.scheduleWithFixedDelay(
        () -> update(lag, group, topic), 0, Math.max(1, periodSeconds), TimeUnit.SECONDS);
  }

  private static void update(ConsumerLag lag, String group, String topic) {
    try {
      for (PartitionLag partition : lag.of(group, topic)) {
        String p = Integer.toString(partition.partition());
        PaystreamMetrics.CONSUMER_LAG_RECORDS.labelValues(group, topic, p).set(partition.records());
        partition.seconds().ifPresent(s -> PaystreamMetrics.CONSUMER_LAG_SECONDS.labelValues(group, topic, p).set(s));
      }
    } catch (RuntimeException e) {
      // Kafka unreachable for a while: the gauges keep their last values, the next reading retries.
      LOG.warn("Reading the lag of {} on {} failed: {}", group, topic, e.toString());
    }
  }

  /** {@code [from, to]} of a spec; {@code [0, 0]} for none. */
  static int[] range(String portSpec) {
    String spec = portSpec == null ? "0" : portSpec.trim();
    String[] bounds = spec.split("-", 2);
    try {
      int from = Integer.parseInt(bounds[0].trim());
      int to = bounds.length == 2 ? Integer.parseInt(bounds[1].trim()) : from;
      if (from < 0 || to < from || to > 65_535) {
        throw new IllegalArgumentException("--metricsPort " + portSpec + ": not a port or port range");
      }
      return new int[] {from, to};
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--metricsPort " + portSpec + ": not a port or port range", e);
    }
  }
}
