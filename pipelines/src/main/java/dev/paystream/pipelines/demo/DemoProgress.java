package dev.paystream.pipelines.demo;

import dev.paystream.schemas.metrics.PaystreamMetrics;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A progress line every few seconds while the demo's pipeline runs, from the same metrics its
 * {@code /metrics} endpoint serves: read, decided, dead-lettered, duplicates, consumer lag, and
 * the read rate since the previous line.
 */
final class DemoProgress implements AutoCloseable {
  private final PrintStream out;
  private final String group;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "demo-progress");
            thread.setDaemon(true);
            return thread;
          });
  private double lastRead;
  private long lastNanos = System.nanoTime();

  private DemoProgress(PrintStream out, String group) {
    this.out = out;
    this.group = group;
  }

  /** Prints a line to {@code out} every {@code periodMillis} until closed. */
  static DemoProgress start(PrintStream out, String group, long periodMillis) {
    DemoProgress progress = new DemoProgress(out, group);
    progress.timer.scheduleAtFixedRate(progress::print, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    return progress;
  }

  /** The line as it stands now. */
  synchronized String line() {
    double read = sum(PaystreamMetrics.RECORDS_READ);
    long now = System.nanoTime();
    double perSecond = (read - lastRead) / Math.max(1e-9, (now - lastNanos) / 1e9);
    lastRead = read;
    lastNanos = now;
    return String.format(
        "  read %,.0f | decided %,.0f | dead-lettered %,.0f | duplicates %,.0f | lag %,.0f records | %,.0f events/s",
        read,
        sum(PaystreamMetrics.DECISIONS),
        sum(PaystreamMetrics.DEAD_LETTERS),
        sum(PaystreamMetrics.DUPLICATES),
        lag(),
        perSecond);
  }

  private void print() {
    out.println(line());
  }

  private static double sum(Counter counter) {
    return counter.collect().getDataPoints().stream().mapToDouble(point -> point.getValue()).sum();
  }

  private double lag() {
    Gauge lag = PaystreamMetrics.CONSUMER_LAG_RECORDS;
    return lag.collect().getDataPoints().stream()
        .filter(point -> group.equals(point.getLabels().get("group")))
        .mapToDouble(point -> point.getValue())
        .sum();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
