package dev.paystream.pipelines.generator;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs how many records went out, at most once per interval, with the rate since the last line. */
final class ProgressLog {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressLog.class);

  private final String topic;
  private final long intervalNanos;
  private long lastNanos = System.nanoTime();
  private long lastCount;

  ProgressLog(String topic, Duration interval) {
    this.topic = topic;
    this.intervalNanos = interval.toNanos();
  }

  void update(long sent) {
    long now = System.nanoTime();
    if (now - lastNanos >= intervalNanos) {
      double perSecond = (sent - lastCount) * 1e9 / (now - lastNanos);
      LOG.info("{}: {} records sent, {} records/s", topic, sent, Math.round(perSecond));
      lastNanos = now;
      lastCount = sent;
    }
  }
}
