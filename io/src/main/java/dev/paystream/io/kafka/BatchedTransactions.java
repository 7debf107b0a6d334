package dev.paystream.io.kafka;

import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.joda.time.Duration;

/**
 * An exactly-once Kafka sink with one transaction per shard for all the batches of records that
 * reach its writer together, where Beam's {@code KafkaIO.write().withEOS} commits one per pane of
 * its internal GroupByKey, which on Flink is one per record. The design is Beam's: records are
 * spread over a fixed number of shards, a stateful step numbers each shard's output, and a writer
 * with stable input commits in number order, storing the last committed number with the
 * transaction (see {@link ShardProducer}), so a retried batch is recognised and skipped. Here the
 * unit that is numbered is a batch from {@link ShardedBatches} (up to {@code batchSize} records, or
 * what arrived within {@code maxDelay}), and the unit that is committed is every batch of a shard
 * in one bundle of the writer ({@link WriteBatchTransactionsFn}): on Flink, all that one completed
 * checkpoint released, so a shard commits once per checkpoint whatever the batch size, and the
 * batching delay only adds to the latency what it holds a record back from the next checkpoint.
 *
 * <p>Like Beam's sink, a shard needs the partition of its number on the topic (its progress is
 * stored there). Unlike Beam's, a shard that has no state but finds this sink's progress in its
 * group resumes from it: the same job restarted without state (a DirectRunner process after a
 * crash, a Flink job that failed before its first checkpoint) numbers its batches on from its
 * predecessor's last committed one, and the writer adopts the predecessor's id, fencing its
 * producer. Progress in another format, or of another writer while the shard has state, still
 * stops the job with an error rather than guess.
 */
final class BatchedTransactions extends PTransform<PCollection<KV<String, byte[]>>, PDone> {

  private final KafkaConnection kafka;
  private final String topic;
  private final int shards;
  private final String sinkGroupId;
  private final int batchSize;
  private final Duration maxDelay;

  BatchedTransactions(
      KafkaConnection kafka, String topic, int shards, String sinkGroupId, int batchSize, Duration maxDelay) {
    this.kafka = kafka;
    this.topic = topic;
    this.shards = shards;
    this.sinkGroupId = sinkGroupId;
    this.batchSize = batchSize;
    this.maxDelay = maxDelay;
  }

  @Override
  public PDone expand(PCollection<KV<String, byte[]>> records) {
    records
        // A shard's batch numbers and its progress in Kafka are one sequence: state per window
        // would restart the numbering in every window.
        .apply("GlobalWindow", Window.<KV<String, byte[]>>into(new GlobalWindows()))
        .apply("Batch", new ShardedBatches(shards, batchSize, maxDelay))
        .apply("NumberBatches", ParDo.of(new NumberBatchesFn(kafka, topic, sinkGroupId)))
        .setCoder(
            KvCoder.of(
                VarIntCoder.of(), KvCoder.of(VarLongCoder.of(), IterableCoder.of(ShardedBatches.RECORD))))
        .apply("WriteTransactions", ParDo.of(new WriteBatchTransactionsFn(kafka, topic, sinkGroupId)));
    return PDone.in(records.getPipeline());
  }

  /**
   * Numbers each shard's batches in the order they leave {@link ShardedBatches}: 0, 1, 2, ... for
   * a new shard, on from the last committed batch for a shard that has progress in Kafka but no
   * state. The numbering happens before the writer's stable input, so a restored job replays the
   * numbers it had given (the writer skips those committed) and numbers new batches on from its
   * state.
   */
  private static final class NumberBatchesFn
      extends DoFn<KV<Integer, Iterable<KV<String, byte[]>>>, KV<Integer, KV<Long, Iterable<KV<String, byte[]>>>>> {
    private final KafkaConnection kafka;
    private final String topic;
    private final String sinkGroupId;

    NumberBatchesFn(KafkaConnection kafka, String topic, String sinkGroupId) {
      this.kafka = kafka;
      this.topic = topic;
      this.sinkGroupId = sinkGroupId;
    }

    @StateId("next")
    private final StateSpec<ValueState<Long>> nextSpec = StateSpecs.value(VarLongCoder.of());

    @ProcessElement
    public void process(
        @Element KV<Integer, Iterable<KV<String, byte[]>>> batch,
        @StateId("next") ValueState<Long> next,
        OutputReceiver<KV<Integer, KV<Long, Iterable<KV<String, byte[]>>>>> out) {
      Long stored = next.read();
      long number =
          stored != null ? stored : ShardProducer.committedBatch(kafka, topic, sinkGroupId, batch.getKey()) + 1;
      out.output(KV.of(batch.getKey(), KV.of(number, batch.getValue())));
      next.write(number + 1);
    }
  }
}
