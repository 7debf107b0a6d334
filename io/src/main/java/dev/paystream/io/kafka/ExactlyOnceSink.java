package dev.paystream.io.kafka;

/** Which exactly-once Kafka sink {@link WriteExactlyOnce} uses. */
public enum ExactlyOnceSink {
  /**
   * Beam's {@code KafkaIO.write().withEOS}: one transaction per pane of its internal GroupByKey,
   * which is per bundle on the DirectRunner and per record on Flink. Not restartable without its
   * state: a job restarted without it (a DirectRunner process after a crash) refuses to start.
   */
  KAFKA_IO,
  /**
   * {@link BatchedTransactions}, the default: numbered batches of records, one transaction per
   * shard for the batches that reach its writer together (on Flink, per completed checkpoint), on
   * every runner; a restart without state resumes from the progress in Kafka.
   */
  BATCHED
}
