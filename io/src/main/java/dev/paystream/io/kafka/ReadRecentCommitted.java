package dev.paystream.io.kafka;

import java.time.Duration;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Impulse;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * The values a topic holds in committed transactions written within the last {@code lookback}, read
 * once when the pipeline starts (on a worker, not in the job graph). A process that restarts
 * without state drops the payments its predecessor already decided ({@link CommittedKeys}); the
 * decisions Kafka committed but whose PostgreSQL rows the dead process had not yet written would
 * then never reach the table. Upserting these values again makes the table converge to what Kafka
 * committed (the upsert is idempotent). Counter {@code restart/committed_values_replayed}.
 */
public final class ReadRecentCommitted extends PTransform<PBegin, PCollection<byte[]>> {
  private final KafkaConnection kafka;
  private final String topic;
  private final Duration lookback;

  private ReadRecentCommitted(KafkaConnection kafka, String topic, Duration lookback) {
    this.kafka = kafka;
    this.topic = topic;
    this.lookback = lookback;
  }

  public static ReadRecentCommitted values(KafkaConnection kafka, String topic, Duration lookback) {
    if (lookback.isNegative()) {
      throw new IllegalArgumentException("lookback must not be negative, got " + lookback);
    }
    return new ReadRecentCommitted(kafka, topic, lookback);
  }

  @Override
  public PCollection<byte[]> expand(PBegin begin) {
    return begin
        .apply("Start", Impulse.create())
        .apply("ReadCommittedValues", ParDo.of(new ReadFn(kafka, topic, lookback)))
        .setCoder(ByteArrayCoder.of());
  }

  private static final class ReadFn extends DoFn<byte[], byte[]> {
    private final KafkaConnection kafka;
    private final String topic;
    private final Duration lookback;
    private final Counter replayed = Metrics.counter(DropCommitted.METRICS_NAMESPACE, "committed_values_replayed");

    ReadFn(KafkaConnection kafka, String topic, Duration lookback) {
      this.kafka = kafka;
      this.topic = topic;
      this.lookback = lookback;
    }

    @ProcessElement
    public void process(OutputReceiver<byte[]> out) {
      CommittedKeys.forEachRecent(kafka, topic, lookback, record -> {
        if (record.value() != null) {
          out.output(record.value());
          replayed.inc();
        }
      });
    }
  }
}
