package dev.paystream.pipelines;

import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.kafka.PayloadEventTime;
import dev.paystream.io.metrics.MetricsEndpoint;
import dev.paystream.schemas.SourceRecord;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Passes the records read through unchanged and, on every worker that reads, makes sure the JVM
 * serves its Prometheus endpoint ({@code --metricsPort}) and keeps the consumer group's lag gauges
 * current ({@link MetricsEndpoint}). Fused with the source, it costs a method call per record; it
 * is in the graph only when {@code --metricsPort} is not 0, so a job without metrics is unchanged.
 */
final class ServeMetrics extends PTransform<PCollection<SourceRecord>, PCollection<SourceRecord>> {
  private final String portSpec;
  private final KafkaConnection kafka;
  private final PayloadEventTime eventTime;
  private final String group;
  private final String topic;
  private final int lagPollSeconds;

  private ServeMetrics(
      String portSpec, KafkaConnection kafka, PayloadEventTime eventTime, String group, String topic, int lagPollSeconds) {
    this.portSpec = portSpec;
    this.kafka = kafka;
    this.eventTime = eventTime;
    this.group = group;
    this.topic = topic;
    this.lagPollSeconds = lagPollSeconds;
  }

  /** The endpoint and lag of {@code group} on {@code --paymentsTopic}, as the options say. */
  static ServeMetrics of(PaymentIngestOptions options, String group) {
    if (options.getLagPollSeconds() < 1) {
      throw new IllegalArgumentException("--lagPollSeconds must be at least 1, was " + options.getLagPollSeconds());
    }
    return new ServeMetrics(
        options.getMetricsPort(),
        KafkaConnections.from(options),
        PaymentEventTimes.from(options),
        group,
        options.getPaymentsTopic(),
        options.getLagPollSeconds());
  }

  /** Whether {@code --metricsPort} asks for an endpoint. */
  static boolean wanted(PaymentIngestOptions options) {
    String port = options.getMetricsPort();
    return port != null && !port.isBlank() && !port.trim().equals("0");
  }

  @Override
  public PCollection<SourceRecord> expand(PCollection<SourceRecord> records) {
    return records.apply("Serve", ParDo.of(new ServeFn(this))).setCoder(records.getCoder());
  }

  private static final class ServeFn extends DoFn<SourceRecord, SourceRecord> {
    private final ServeMetrics spec;

    ServeFn(ServeMetrics spec) {
      this.spec = spec;
    }

    @Setup
    public void setup() {
      MetricsEndpoint.start(spec.portSpec);
      MetricsEndpoint.watchLag(spec.kafka, spec.eventTime, spec.group, spec.topic, spec.lagPollSeconds);
    }

    @ProcessElement
    public void process(@Element SourceRecord record, OutputReceiver<SourceRecord> out) {
      out.output(record);
    }
  }
}
