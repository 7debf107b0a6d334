package dev.paystream.io.kafka;

import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guard in front of the exactly-once sinks: a record larger than the producer accepts ({@code
 * max.request.size}) fails its transaction, the sink retries the same bundle, fails again, and on
 * Flink every restore replays it: one record stops the pipeline for good. So such a record never
 * reaches the sink: it is counted ({@value #METRICS_NAMESPACE}/{@code oversized_records}) and
 * logged with its topic, key and size (never its value), and the sink goes on.
 *
 * <p>Why not divert it to the dead-letter topic: the records written here are decisions and dead
 * letters, both bounded by validation (ids and texts have maximum lengths, dead letters carry at most
 * {@code --maxPayloadBytes} of payload), so this guard should never fire; a second route would need
 * a sink of its own, with the same size limit and the same failure one level down. It is a
 * tripwire that keeps the sink alive and makes the impossible visible in the accounting.
 */
final class KafkaRecordSize extends DoFn<KV<String, byte[]>, KV<String, byte[]>> {
  static final String METRICS_NAMESPACE = "kafka_sink";

  /**
   * More than Kafka adds to a record's key and value in a batch of one (61 bytes of batch header,
   * at most 36 of record header), which is how the producer measures a record against its limit.
   */
  static final int RECORD_OVERHEAD_BYTES = 128;

  /** Kafka's default {@code max.request.size}. */
  static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(KafkaRecordSize.class);

  private final String topic;
  private final int maxRecordBytes;
  private final Counter oversized = Metrics.counter(METRICS_NAMESPACE, "oversized_records");

  private KafkaRecordSize(String topic, int maxRecordBytes) {
    this.topic = topic;
    this.maxRecordBytes = maxRecordBytes;
  }

  /** Lets through what a producer configured by {@code producerConfig} accepts. */
  static KafkaRecordSize guard(String topic, Map<String, Object> producerConfig) {
    Object configured = producerConfig.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    int maxRequestSize = configured == null ? DEFAULT_MAX_REQUEST_SIZE : Integer.parseInt(configured.toString());
    return new KafkaRecordSize(topic, maxRequestSize - RECORD_OVERHEAD_BYTES);
  }

  @ProcessElement
  public void process(@Element KV<String, byte[]> record, OutputReceiver<KV<String, byte[]>> out) {
    if (fits(record)) {
      out.output(record);
      return;
    }
    oversized.inc();
    LOG.error("Not writing a record of {} bytes to {} (key {}): the producer accepts at most {}",
        size(record), topic, record.getKey(), maxRecordBytes);
  }

  boolean fits(KV<String, byte[]> record) {
    return size(record) <= maxRecordBytes;
  }

  /** An upper bound: a key character takes at most 3 bytes in UTF-8. */
  private static long size(KV<String, byte[]> record) {
    return (record.getKey() == null ? 0 : record.getKey().length() * 3L) + record.getValue().length;
  }
}
