package dev.paystream.schemas.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;

/**
 * Every Prometheus metric the pipelines export, registered once per JVM in Prometheus' default
 * registry and served by {@code dev.paystream.io.metrics.MetricsEndpoint}.
 *
 * <p>Why a catalogue of our own next to Beam's {@code Metrics.counter}s: Beam metrics are read from
 * a job's result, which nobody can scrape while a DirectRunner job runs, and on Flink they arrive
 * under runner-specific names ({@code flink_taskmanager_job_task_operator_<namespace>_<name>}) with
 * Distributions exported as 0 (Beam #20635, #19500). Recording here as well gives the same names,
 * labels and real histograms on every runner. It lives in {@code schemas} because it is a contract
 * like the Avro schemas: every module records into it, and the dashboard and alert rules query it.
 *
 * <p>The values count what a process did (attempts): a bundle a runner retries is counted again,
 * as Beam's attempted metrics are. Labels take values from small fixed sets (outcomes, reasons,
 * topics, partitions, sinks), never from the data (no customer, merchant or payment ids).
 */
public final class PaystreamMetrics {
  private PaystreamMetrics() {}

  /** Records read from Kafka, by consumer group, topic and partition. */
  public static final Counter RECORDS_READ =
      Counter.builder()
          .name("paystream_records_read_total")
          .help("Records read from Kafka by the pipeline's source")
          .labelNames("group", "topic", "partition")
          .register();

  /** Fraud decisions made, by outcome (APPROVE, REVIEW, DECLINE). */
  public static final Counter DECISIONS =
      Counter.builder()
          .name("paystream_decisions_total")
          .help("Fraud decisions made, by outcome")
          .labelNames("outcome")
          .register();

  /** Records dead-lettered, by reason (the {@code DeadLetterReason} names). */
  public static final Counter DEAD_LETTERS =
      Counter.builder()
          .name("paystream_dead_letters_total")
          .help("Records rejected to a dead-letter topic, by reason")
          .labelNames("reason")
          .register();

  /** Payments dropped as copies: of a payment seen before, or of one a predecessor already decided. */
  public static final Counter DUPLICATES =
      Counter.builder()
          .name("paystream_duplicates_total")
          .help("Payments dropped as duplicates (kind: duplicate, already_decided)")
          .labelNames("kind")
          .register();

  /** Records read with an event time behind their partition's watermark. */
  public static final Counter LATE_RECORDS =
      Counter.builder()
          .name("paystream_late_records_total")
          .help("Records whose event time was behind their partition's watermark when read")
          .labelNames("topic")
          .register();

  /** Payment event time to the decision handed to the exactly-once sink. */
  public static final Histogram DECISION_LATENCY =
      Histogram.builder()
          .name("paystream_decision_latency_seconds")
          .help("Payment event time to fraud decision handed to the exactly-once sink, in seconds")
          .classicOnly()
          .classicUpperBounds(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86_400)
          .register();

  /** Committed offset to log end, per partition of a consumer group. */
  public static final Gauge CONSUMER_LAG_RECORDS =
      Gauge.builder()
          .name("paystream_consumer_lag_records")
          .help("Records between the consumer group's committed offset and the partition's end")
          .labelNames("group", "topic", "partition")
          .register();

  /** Event time of the newest record less that of the record at the committed offset. */
  public static final Gauge CONSUMER_LAG_SECONDS =
      Gauge.builder()
          .name("paystream_consumer_lag_seconds")
          .help("Event time of the partition's newest record less that of the next record to consume")
          .labelNames("group", "topic", "partition")
          .register();

  /** Wall clock less the source's watermark, per partition. */
  public static final Gauge WATERMARK_LAG =
      Gauge.builder()
          .name("paystream_watermark_lag_seconds")
          .help("Wall clock less the source partition's event-time watermark, in seconds")
          .labelNames("topic", "partition")
          .register();

  /** Exactly-once sink transactions committed. */
  public static final Counter EOS_TRANSACTIONS =
      Counter.builder()
          .name("paystream_eos_transactions_total")
          .help("Kafka transactions committed by the exactly-once sink")
          .labelNames("topic")
          .register();

  /** Records in committed exactly-once transactions. */
  public static final Counter EOS_RECORDS =
      Counter.builder()
          .name("paystream_eos_records_committed_total")
          .help("Records committed by the exactly-once sink")
          .labelNames("topic")
          .register();

  /** Records per committed transaction. */
  public static final Histogram EOS_BATCH_RECORDS =
      Histogram.builder()
          .name("paystream_eos_batch_records")
          .help("Records per exactly-once transaction")
          .labelNames("topic")
          .classicOnly()
          .classicUpperBounds(1, 10, 50, 100, 250, 500, 1000, 5000)
          .register();

  /** Begin to commit of one transaction. */
  public static final Histogram EOS_COMMIT_SECONDS =
      Histogram.builder()
          .name("paystream_eos_commit_seconds")
          .help("Time to send and commit one exactly-once transaction, in seconds")
          .labelNames("topic")
          .classicOnly()
          .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10)
          .register();

  /** Records written to PostgreSQL or Redis. */
  public static final Counter SINK_WRITES =
      Counter.builder()
          .name("paystream_sink_writes_total")
          .help("Records handed to a store (postgres, redis)")
          .labelNames("sink")
          .register();

  /** Retries of a store operation after a transient failure. */
  public static final Counter SINK_RETRIES =
      Counter.builder()
          .name("paystream_sink_retries_total")
          .help("Retries of a store operation after a transient failure")
          .labelNames("sink", "operation")
          .register();

  /** Store operations that failed for good. */
  public static final Counter SINK_FAILURES =
      Counter.builder()
          .name("paystream_sink_failures_total")
          .help("Store operations that failed after their retries or with a permanent error")
          .labelNames("sink", "operation")
          .register();

  /** Analytics panes emitted, by timing (EARLY, ON_TIME, LATE). */
  public static final Counter ANALYTICS_PANES =
      Counter.builder()
          .name("paystream_analytics_panes_total")
          .help("Windowed statistics panes emitted, by timing")
          .labelNames("timing")
          .register();

  /** The kinds of {@link #DUPLICATES}. */
  public static final String DUPLICATE = "duplicate";
  public static final String ALREADY_DECIDED = "already_decided";

  static {
    // Series of a fixed label set exist from the start at 0, so that rate() and the dashboard's
    // queries have data before the first decline or late pane (Prometheus' advice for counters).
    for (dev.paystream.schemas.Decision outcome : dev.paystream.schemas.Decision.values()) {
      DECISIONS.labelValues(outcome.name());
    }
    DUPLICATES.labelValues(DUPLICATE);
    DUPLICATES.labelValues(ALREADY_DECIDED);
    for (dev.paystream.schemas.PaneTiming timing : dev.paystream.schemas.PaneTiming.values()) {
      ANALYTICS_PANES.labelValues(timing.name());
    }
  }

  /** Seconds of {@code millis}, for histograms observed from millisecond clocks. */
  public static double seconds(long millis) {
    return millis / 1000.0;
  }
}
