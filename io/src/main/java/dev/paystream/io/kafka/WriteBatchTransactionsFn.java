package dev.paystream.io.kafka;

import dev.paystream.schemas.metrics.PaystreamMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * Writes numbered batches of one shard in number order, each in a transaction of its own, and
 * skips those the shard already committed.
 *
 * <p>Its input must be stable ({@link RequiresStableInput}): a batch retried after a failure has
 * the number and content it had the first time. Then a batch whose number the shard's progress in
 * Kafka already covers was written by an attempt whose outcome the runner lost, and is dropped.
 *
 * <p>A shard without state that finds its predecessor's progress in Kafka (the same job restarted
 * without state: a DirectRunner process after a crash) adopts it and goes on from there; the
 * numbering upstream went on after the predecessor's last batch too ({@link BatchedTransactions}).
 * What the predecessor had read but not committed is read again from the source; recognising what
 * it did commit is up to the pipeline (see {@code CommittedKeys}).
 */
final class WriteBatchTransactionsFn
    extends DoFn<KV<Integer, KV<Long, Iterable<KV<String, byte[]>>>>, Void> {

  /** Namespace of the writer's counters. */
  static final String METRICS_NAMESPACE = "kafka_batched_eos";

  // One producer per shard and sink group in a JVM, taken out while in use: a DoFn instance that
  // the runner replaces must not leave a second producer of the same transactional id behind.
  private static final Map<String, ShardProducer> IDLE_PRODUCERS = new ConcurrentHashMap<>();

  private final KafkaConnection kafka;
  private final String topic;
  private final String sinkGroupId;

  private final Counter transactions = Metrics.counter(METRICS_NAMESPACE, "transactions");
  private final Counter recordsWritten = Metrics.counter(METRICS_NAMESPACE, "records_written");
  private final Counter batchesSkipped =
      Metrics.counter(METRICS_NAMESPACE, "committed_batches_skipped");
  private final Counter batchesHeld = Metrics.counter(METRICS_NAMESPACE, "early_batches_held");
  private final Counter progressAdopted = Metrics.counter(METRICS_NAMESPACE, "progress_adopted");

  @StateId("nextBatch")
  private final StateSpec<ValueState<Long>> nextBatchSpec = StateSpecs.value(VarLongCoder.of());

  @StateId("writerId")
  private final StateSpec<ValueState<String>> writerIdSpec =
      StateSpecs.value(StringUtf8Coder.of());

  // Batches that overtook an earlier one on the way here; written once the gap is filled.
  @StateId("early")
  private final StateSpec<BagState<KV<Long, Iterable<KV<String, byte[]>>>>> earlySpec =
      StateSpecs.bag(KvCoder.of(VarLongCoder.of(), IterableCoder.of(ShardedBatches.RECORD)));

  WriteBatchTransactionsFn(KafkaConnection kafka, String topic, String sinkGroupId) {
    this.kafka = kafka;
    this.topic = topic;
    this.sinkGroupId = sinkGroupId;
  }

  @RequiresStableInput
  @ProcessElement
  public void process(
      @Element KV<Integer, KV<Long, Iterable<KV<String, byte[]>>>> element,
      @StateId("nextBatch") ValueState<Long> nextBatchState,
      @StateId("writerId") ValueState<String> writerIdState,
      @StateId("early") BagState<KV<Long, Iterable<KV<String, byte[]>>>> early) {
    int shard = element.getKey();
    KV<Long, Iterable<KV<String, byte[]>>> batch = element.getValue();
    ShardProducer producer = producer(shard, writerIdState);
    try {
      // Progress in Kafka ahead of the state: batches an attempt committed before it was lost.
      long next = Math.max(orZero(nextBatchState.read()), producer.committedBatch() + 1);
      if (batch.getKey() < next) {
        batchesSkipped.inc();
      } else if (batch.getKey() > next) {
        early.add(batch);
        batchesHeld.inc();
      } else {
        next = writeFrom(producer, batch, early);
      }
      nextBatchState.write(next);
    } catch (RuntimeException e) {
      // The producer may be fenced or inside a transaction: the retry opens a fresh one.
      producer.closeAfterFailure();
      throw e;
    }
    IDLE_PRODUCERS.put(key(shard), producer);
  }

  /**
   * Writes {@code batch}, then any held batches that follow on, and drops held copies of batches
   * already written (a batch can be delivered twice while it waits); returns the next number.
   */
  private long writeFrom(
      ShardProducer producer,
      KV<Long, Iterable<KV<String, byte[]>>> batch,
      BagState<KV<Long, Iterable<KV<String, byte[]>>>> early) {
    long next = write(producer, batch);
    List<KV<Long, Iterable<KV<String, byte[]>>>> held = new ArrayList<>();
    early.read().forEach(held::add);
    if (held.isEmpty()) {
      return next;
    }
    held.sort(Comparator.comparing(KV::getKey));
    early.clear();
    for (KV<Long, Iterable<KV<String, byte[]>>> waiting : held) {
      if (waiting.getKey() < next) {
        batchesSkipped.inc();
      } else if (waiting.getKey() == next) {
        next = write(producer, waiting);
      } else {
        early.add(waiting);
      }
    }
    return next;
  }

  private long write(ShardProducer producer, KV<Long, Iterable<KV<String, byte[]>>> batch) {
    long start = System.nanoTime();
    int written = producer.commit(batch.getKey(), batch.getValue());
    recordsWritten.inc(written);
    transactions.inc();
    PaystreamMetrics.EOS_COMMIT_SECONDS.labelValues(topic).observe((System.nanoTime() - start) / 1e9);
    PaystreamMetrics.EOS_BATCH_RECORDS.labelValues(topic).observe(written);
    PaystreamMetrics.EOS_TRANSACTIONS.labelValues(topic).inc();
    PaystreamMetrics.EOS_RECORDS.labelValues(topic).inc(written);
    return batch.getKey() + 1;
  }

  private ShardProducer producer(int shard, ValueState<String> writerIdState) {
    String writerId = writerIdState.read();
    ShardProducer idle = IDLE_PRODUCERS.remove(key(shard));
    if (idle != null && idle.writerId().equals(writerId)) {
      return idle;
    }
    if (idle != null) {
      // State restored to before this shard's first commit; opening checks the progress anew.
      idle.close();
    }
    ShardProducer opened =
        ShardProducer.open(
            kafka, topic, sinkGroupId, shard, writerId, UUID.randomUUID().toString());
    if (writerId == null) {
      writerIdState.write(opened.writerId());
      if (opened.committedBatch() >= 0) {
        progressAdopted.inc();
      }
    }
    return opened;
  }

  private String key(int shard) {
    return keyPrefix() + shard;
  }

  private String keyPrefix() {
    return sinkGroupId + "/" + topic + "/";
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }

  @Teardown
  public void closeIdleProducers() {
    // Another instance's producer is not in the map while in use; an idle one is reopened later.
    for (String key : List.copyOf(IDLE_PRODUCERS.keySet())) {
      ShardProducer idle = key.startsWith(keyPrefix()) ? IDLE_PRODUCERS.remove(key) : null;
      if (idle != null) {
        idle.close();
      }
    }
  }
}
