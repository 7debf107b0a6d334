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
 * An exactly-once Kafka sink with one transaction per batch of records, where Beam's {@code
 * KafkaIO.write().withEOS} commits one per pane of its internal GroupByKey, which on Flink is one
 * per record. The design is Beam's: records are spread over a fixed number of shards, a stateful
 * step numbers each shard's output, and a writer with stable input commits in number order,
 * storing the last committed number with the transaction (see {@link ShardProducer}), so a retried
 * batch is recognised and skipped. Here the unit that is numbered and committed is a batch from
 * {@link ShardedBatches}: up to {@code batchSize} records, or what arrived within {@code
 * maxDelay}.
 *
 * <p>Like Beam's sink, a shard needs the partition of its number on the topic (its progress is
 * stored there) and a job's sink group must be new to it: a job that finds another writer's
 * progress in the group stops with an error rather than guess.
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
        .apply("NumberBatches", ParDo.of(new NumberBatchesFn()))
        .setCoder(
            KvCoder.of(
                VarIntCoder.of(), KvCoder.of(VarLongCoder.of(), IterableCoder.of(ShardedBatches.RECORD))))
        .apply("WriteTransactions", ParDo.of(new WriteBatchTransactionsFn(kafka, topic, sinkGroupId)));
    return PDone.in(records.getPipeline());
  }

  /** Numbers each shard's batches 0, 1, 2, ... in the order they leave {@link ShardedBatches}. */
  private static final class NumberBatchesFn
      extends DoFn<KV<Integer, Iterable<KV<String, byte[]>>>, KV<Integer, KV<Long, Iterable<KV<String, byte[]>>>>> {

    @StateId("next")
    private final StateSpec<ValueState<Long>> nextSpec = StateSpecs.value(VarLongCoder.of());

    @ProcessElement
    public void process(
        @Element KV<Integer, Iterable<KV<String, byte[]>>> batch,
        @StateId("next") ValueState<Long> next,
        OutputReceiver<KV<Integer, KV<Long, Iterable<KV<String, byte[]>>>>> out) {
      Long stored = next.read();
      long number = stored == null ? 0 : stored;
      out.output(KV.of(batch.getKey(), KV.of(number, batch.getValue())));
      next.write(number + 1);
    }
  }
}
