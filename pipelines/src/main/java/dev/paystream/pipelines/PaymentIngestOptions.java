package dev.paystream.pipelines;

import dev.paystream.io.kafka.EventTimeSource;
import dev.paystream.io.kafka.ExactlyOnceSink;
import dev.paystream.io.kafka.OffsetRanges;
import dev.paystream.transforms.state.PaymentCoder;
import dev.paystream.transforms.validate.PaymentFormat;
import dev.paystream.transforms.validate.ValidatePayments;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.StreamingOptions;

/**
 * How a pipeline reads payments ({@link ReadDistinctPayments}) and writes exactly once: the options
 * every pipeline over the payments topic shares. Each pipeline names its own consumer group and
 * dead-letter topic, so that two pipelines never share offsets or dead letters.
 */
public interface PaymentIngestOptions extends KafkaOptions, StreamingOptions {
  @Description("Topic the payments are read from")
  @Default.String("payments")
  String getPaymentsTopic();

  void setPaymentsTopic(String value);

  @Description(
      "Consumer group under which the exactly-once sinks keep their state. Keep it when restoring "
          + "a job from a checkpoint or savepoint; a new job needs a new one. Empty: a fresh id per run.")
  @Default.String("")
  String getSinkGroupId();

  void setSinkGroupId(String value);

  @Description(
      "Drop Kafka records whose offset their partition already delivered (DropReplayedOffsets): a "
          + "guard against Beam's Flink runner, which reads partitions twice after a restore (Beam "
          + "#34890). Unset: on for the Flink runner, off otherwise (on the DirectRunner it costs a "
          + "third more time and nothing replays).")
  Boolean getDropReplayedOffsets();

  void setDropReplayedOffsets(Boolean value);

  @Description(
      "Kafka records per element of the streaming source (KafkaIO's UnboundedSource read in "
          + "batches, split into records by the next step); 0: KafkaIO's read as it is. The "
          + "DirectRunner reads 10 source elements per bundle and runs each later step once per "
          + "bundle (a stateful step once per key in it), so batches make it several times faster. "
          + "Unset: " + PaymentSource.DIRECT_RUNNER_BATCH_RECORDS + " on the DirectRunner, 0 otherwise "
          + "(on Flink the read's steps would change under a savepoint). A bundle then holds up to 10 "
          + "batches: keep a batch well under --rereadOnStartRecords.")
  Integer getSourceBatchRecords();

  void setSourceBatchRecords(Integer value);

  @Description(
      "Transactional producers writing the decisions (the dead letters use one). At most the number "
          + "of partitions of the decisions topic: each shard keeps its progress on the partition of "
          + "its number, and a shard without one hangs in AddOffsetsToTxn until it times out.")
  @Default.Integer(1)
  int getSinkShards();

  void setSinkShards(int value);

  @Description(
      "Exactly-once Kafka sink of the outputs: BATCHED (ours: batches of --sinkBatchSize records or "
          + "--sinkBatchDelayMillis, one transaction per shard for the batches that reach the writer "
          + "together, on Flink per completed checkpoint, on every runner; a restart of the same "
          + "job without state resumes from its progress in Kafka) or KAFKA_IO (Beam's "
          + "KafkaIO.write().withEOS: one transaction per bundle on the DirectRunner, per record on "
          + "Flink; refuses to restart without its state)")
  @Default.Enum("BATCHED")
  ExactlyOnceSink getExactlyOnceSink();

  void setExactlyOnceSink(ExactlyOnceSink value);

  @Description(
      "Records gathered per Kafka transaction before the exactly-once sinks (1: no batching). "
          + "Transactions cost broker round trips; bigger batches mean fewer of them.")
  @Default.Integer(500)
  int getSinkBatchSize();

  void setSinkBatchSize(int value);

  @Description("Milliseconds a partial batch waits for more records before it is written anyway")
  @Default.Long(200)
  long getSinkBatchDelayMillis();

  void setSinkBatchDelayMillis(long value);

  @Description("Payload format on the payments topic: AVRO, JSON, or AUTO (either, by magic bytes)")
  @Default.Enum("AUTO")
  PaymentFormat getPaymentFormat();

  void setPaymentFormat(PaymentFormat value);

  @Description(
      "Event time of a record: PAYMENT, the payment's own time (JSON timestamp, Avro event_time), "
          + "whatever record timestamp its producer set; KAFKA_RECORD, the Kafka record timestamp "
          + "(the behaviour before PAYMENT existed: right only if producers stamp records with the "
          + "payment time; most stamp the send time)")
  @Default.Enum("PAYMENT")
  EventTimeSource getEventTimeSource();

  void setEventTimeSource(EventTimeSource value);

  @Description(
      "Seconds the watermark trails the newest event time of a partition, to admit out-of-order "
          + "payments; payments older than that are late (see --allowedLatenessMinutes)")
  @Default.Long(30)
  long getMaxOutOfOrdernessSeconds();

  void setMaxOutOfOrdernessSeconds(long value);

  @Description("Minutes an event time may lie ahead of the clock before the payment is dead-lettered")
  @Default.Long(5)
  long getMaxFutureSkewMinutes();

  void setMaxFutureSkewMinutes(long value);

  @Description(
      "Backfill or reprocess in batch mode (--streaming=false): read the payments topic from "
          + "--backfillFrom up to its end at start, run the same transforms, and end. Windows come out "
          + "as a streaming run with unlimited lateness would give them, whatever the order of the records.")
  @Default.Boolean(false)
  boolean getBackfill();

  void setBackfill(boolean value);

  @Description(
      "Where a backfill starts in each partition: COMMITTED (the pipeline's consumer group's "
          + "committed offset, the beginning where it has none) or BEGINNING (all retained history)")
  @Default.Enum("COMMITTED")
  OffsetRanges.Start getBackfillFrom();

  void setBackfillFrom(OffsetRanges.Start value);

  @Description(
      "After a successful backfill, commit the offsets it ended at to the pipeline's consumer group "
          + "(never moving an offset back), so a streaming job of that group starts where it ended")
  @Default.Boolean(true)
  boolean getBackfillCommitOffsets();

  void setBackfillCommitOffsets(boolean value);

  @Description(
      "Days an event time may lie behind the clock before the payment is dead-lettered "
          + "(STALE_TIMESTAMP): a year and a day admits backfills and a year of history, not 1970")
  @Default.Long(ValidatePayments.DEFAULT_MAX_EVENT_AGE_DAYS)
  long getMaxEventAgeDays();

  void setMaxEventAgeDays(long value);

  @Description(
      "Largest record value read as a payment; larger ones are dead-lettered (OVERSIZED) with their "
          + "first this many bytes, size and SHA-256. At most 524288, so a dead letter fits Kafka's 1 MiB default")
  @Default.Integer(ValidatePayments.DEFAULT_MAX_PAYLOAD_BYTES)
  int getMaxPayloadBytes();

  void setMaxPayloadBytes(int value);

  @Description(
      "Minutes of arrival (processing) time within which a repeated transaction id is dropped as a "
          + "duplicate, whatever the payments' event times; also how far back a restart looks for "
          + "output its predecessor committed")
  @Default.Long(60)
  long getDedupRetentionMinutes();

  void setDedupRetentionMinutes(long value);

  @Description(
      "Layout of the payments the customer-keyed steps shuffle (dedup, customer features): COMPACT, "
          + "a hand-written versioned layout, or AVRO, Avro binary as before issue 16 (kept to measure "
          + "the two in one benchmark run; COMPACT reads what AVRO wrote, not the other way round)")
  @Default.Enum("COMPACT")
  PaymentCoder getPaymentCoder();

  void setPaymentCoder(PaymentCoder value);

  @Description(
      "Records per partition read again at start, before the consumer group's committed offsets: "
          + "the DirectRunner commits offsets before the output they cover, so a killed process "
          + "leaves records whose offsets are committed but whose output is not. What was output is "
          + "recognised from the committed output of the last --dedupRetentionMinutes and dropped. "
          + "The gap is what sits between the source and the sinks (batches wait up to "
          + "--sinkBatchDelayMillis): seconds of input")
  @Default.Long(1_000)
  long getRereadOnStartRecords();

  void setRereadOnStartRecords(long value);

  // Monitoring (README, "Operating it"): the process's Prometheus endpoint and its lag gauges.

  @Description(
      "Port of this process's Prometheus /metrics endpoint (paystream_* metrics): 0 for none, a port, "
          + "or a range such as 9464-9473 where the first free one is taken (one endpoint per JVM: the "
          + "DirectRunner process, each Flink TaskManager)")
  @Default.String("0")
  String getMetricsPort();

  void setMetricsPort(String value);

  @Description("Seconds between two readings of the consumer group's lag for the lag gauges")
  @Default.Integer(10)
  int getLagPollSeconds();

  void setLagPollSeconds(int value);
}
