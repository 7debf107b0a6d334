package dev.paystream.io.kafka;

/** Which exactly-once Kafka sink {@link WriteExactlyOnce} uses. */
public enum ExactlyOnceSink {
  /**
   * Beam's {@code KafkaIO.write().withEOS}: one transaction per pane of its internal GroupByKey,
   * which is per bundle on the DirectRunner and per record on Flink.
   */
  KAFKA_IO,
  /** {@link BatchedTransactions}: one transaction per batch of records, on every runner. */
  BATCHED
}
