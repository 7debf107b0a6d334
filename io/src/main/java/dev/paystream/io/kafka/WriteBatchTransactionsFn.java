package dev.paystream.io.kafka;

import dev.paystream.schemas.metrics.PaystreamMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
 * Writes numbered batches of one shard in number order and skips those the shard already
 * committed; all the batches of a shard that one bundle brings share one Kafka transaction,
 * committed when the bundle finishes.
 *
 * <p>Its input must be stable ({@link RequiresStableInput}): a batch retried after a failure has
 * the number and content it had the first time. Then a batch whose number the shard's progress in
 * Kafka already covers was written by an attempt whose outcome the runner lost, and is dropped. A
 * transaction stores the number of its last batch, and commits its batches all or none: a group
 * of batches replayed after a restore that the committed number covers in part has that part
 * skipped, batch by batch, and the rest written.
 *
 * <p>Why per bundle: on Flink, stable input means that the runner buffers the writer's input until
 * the checkpoint that holds it completes, then hands all of it over in one bundle (Beam's {@code
 * BufferingDoFnRunner.checkpointCompleted}: one bundle per completed checkpoint). One transaction
 * per batch made the last batch of a checkpoint wait for the commits of all the shard's batches
 * before it, two broker round trips each; one per bundle makes it one commit per shard and
 * checkpoint, whatever the batch size. On the DirectRunner (no buffering) a bundle is whatever the
 * runner hands the writer for one shard.
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

  /**
   * How long a transaction may stay open before the next batch goes into a new one. The broker
   * aborts a transaction open longer than the producer's {@code transaction.timeout.ms} (60 s by
   * default), and one bundle can be large (on Flink, a checkpoint that took long, at start-up or
   * catching up after a restore, releases all that arrived meanwhile): without a bound, its commit
   * could fail on every attempt.
   */
  static final Duration MAX_OPEN = Duration.ofSeconds(10);

  private final KafkaConnection kafka;
  private final String topic;
  private final String sinkGroupId;
  private final long maxOpenNanos;

  private final Counter transactions = Metrics.counter(METRICS_NAMESPACE, "transactions");
  private final Counter batchesWritten = Metrics.counter(METRICS_NAMESPACE, "batches_written");
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

  // The shards with a transaction open in the current bundle, in the order they opened.
  private transient Map<Integer, OpenTransaction> open;

  WriteBatchTransactionsFn(KafkaConnection kafka, String topic, String sinkGroupId) {
    this(kafka, topic, sinkGroupId, MAX_OPEN);
  }

  /** With {@code maxOpen} zero, every batch is a transaction of its own. */
  WriteBatchTransactionsFn(KafkaConnection kafka, String topic, String sinkGroupId, Duration maxOpen) {
    this.kafka = kafka;
    this.topic = topic;
    this.sinkGroupId = sinkGroupId;
    this.maxOpenNanos = maxOpen.toNanos();
  }

  @StartBundle
  public void startBundle() {
    open = new LinkedHashMap<>();
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
    OpenTransaction inBundle = open.get(shard);
    ShardProducer producer = inBundle != null ? inBundle.producer : producer(shard, writerIdState);
    try {
      // Progress in Kafka ahead of the state: batches an attempt committed before it was lost.
      // The state counts the batches sent in this bundle's open transaction too: if its commit
      // fails, the runner discards the bundle's state changes with it.
      long next = Math.max(orZero(nextBatchState.read()), producer.committedBatch() + 1);
      if (batch.getKey() < next) {
        batchesSkipped.inc();
      } else if (batch.getKey() > next) {
        early.add(batch);
        batchesHeld.inc();
      } else {
        next = writeFrom(shard, producer, batch, early);
      }
      nextBatchState.write(next);
    } catch (RuntimeException e) {
      // The producers may be fenced or inside a transaction: the retry opens fresh ones.
      if (inBundle == null) {
        producer.closeAfterFailure();
      }
      abandonOpenTransactions();
      throw e;
    }
    if (!open.containsKey(shard)) {
      IDLE_PRODUCERS.put(key(shard), producer);
    }
  }

  /** Commits each shard's transaction of this bundle, and gives its producer back. */
  @FinishBundle
  public void commitOpenTransactions() {
    Iterator<OpenTransaction> pending = open.values().iterator();
    while (pending.hasNext()) {
      OpenTransaction transaction = pending.next();
      commit(transaction);
      pending.remove();
      IDLE_PRODUCERS.put(key(transaction.shard), transaction.producer);
    }
  }

  private void commit(OpenTransaction transaction) {
    try {
      transaction.producer.commit(transaction.lastBatch);
    } catch (RuntimeException e) {
      abandonOpenTransactions();
      throw e;
    }
    recordsWritten.inc(transaction.records);
    transactions.inc();
    PaystreamMetrics.EOS_COMMIT_SECONDS.labelValues(topic).observe((System.nanoTime() - transaction.startNanos) / 1e9);
    PaystreamMetrics.EOS_BATCH_RECORDS.labelValues(topic).observe(transaction.records);
    PaystreamMetrics.EOS_TRANSACTIONS.labelValues(topic).inc();
    PaystreamMetrics.EOS_RECORDS.labelValues(topic).inc(transaction.records);
  }

  /**
   * Sends {@code batch}, then any held batches that follow on, and drops held copies of batches
   * already sent (a batch can be delivered twice while it waits); returns the next number.
   */
  private long writeFrom(
      int shard,
      ShardProducer producer,
      KV<Long, Iterable<KV<String, byte[]>>> batch,
      BagState<KV<Long, Iterable<KV<String, byte[]>>>> early) {
    long next = send(shard, producer, batch);
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
        next = send(shard, producer, waiting);
      } else {
        early.add(waiting);
      }
    }
    return next;
  }

  /**
   * Sends {@code batch} in the shard's transaction of this bundle, first committing that
   * transaction if it has been open for {@code maxOpen}; returns the next number.
   */
  private long send(int shard, ShardProducer producer, KV<Long, Iterable<KV<String, byte[]>>> batch) {
    OpenTransaction transaction = open.get(shard);
    if (transaction != null && System.nanoTime() - transaction.startNanos >= maxOpenNanos) {
      commit(transaction);
      open.remove(shard);
      transaction = null;
    }
    if (transaction == null) {
      transaction = new OpenTransaction(shard, producer);
      open.put(shard, transaction);
    }
    transaction.records += producer.send(batch.getValue());
    transaction.lastBatch = batch.getKey();
    batchesWritten.inc();
    return batch.getKey() + 1;
  }

  /** After a failure: closes the producers of the bundle's open transactions, aborting them. */
  private void abandonOpenTransactions() {
    for (OpenTransaction transaction : open.values()) {
      transaction.producer.closeAfterFailure();
    }
    open.clear();
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
    if (open != null) {
      abandonOpenTransactions();
    }
    // Another instance's producer is not in the map while in use; an idle one is reopened later.
    for (String key : List.copyOf(IDLE_PRODUCERS.keySet())) {
      ShardProducer idle = key.startsWith(keyPrefix()) ? IDLE_PRODUCERS.remove(key) : null;
      if (idle != null) {
        idle.close();
      }
    }
  }

  /** A shard's transaction in the current bundle: the batches sent in it, not committed yet. */
  private static final class OpenTransaction {
    final int shard;
    final ShardProducer producer;
    final long startNanos = System.nanoTime();
    long lastBatch;
    int records;

    OpenTransaction(int shard, ShardProducer producer) {
      this.shard = shard;
      this.producer = producer;
    }
  }
}
