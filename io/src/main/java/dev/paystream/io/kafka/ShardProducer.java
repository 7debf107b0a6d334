package dev.paystream.io.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.values.KV;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard's transactional producer. Each Kafka transaction holds one or more consecutive batches
 * and stores, as the sink group's offset metadata on partition {@code shard} of the topic, the
 * number of its last batch and the writer's id: the batches and the record that they were written
 * commit atomically, so a writer that restarts knows exactly which batches are already in the
 * topic (the scheme of Beam's own exactly-once sink, with batches where Beam numbers records).
 */
final class ShardProducer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ShardProducer.class);
  /** What every transactional id of this sink starts with; then the sink group id. */
  static final String TRANSACTIONAL_ID_PREFIX = "paystream-";
  private static final Pattern PROGRESS =
      Pattern.compile("paystream-batches v1 batch=(-?\\d+) writer=(.+)");
  /** The producers of this JVM not closed yet, for {@link #closeAll}. */
  private static final Set<ShardProducer> OPEN = ConcurrentHashMap.newKeySet();

  private final String topic;
  private final int shard;
  private final String writerId;
  private final String sinkGroupId;
  private final Producer<String, byte[]> producer;
  private long committedBatch;
  private boolean inTransaction;
  // The first asynchronous send failure of the open transaction.
  private final AtomicReference<Exception> failedSend = new AtomicReference<>();

  private ShardProducer(
      String topic,
      int shard,
      String writerId,
      String sinkGroupId,
      Producer<String, byte[]> producer,
      long committedBatch) {
    this.topic = topic;
    this.shard = shard;
    this.writerId = writerId;
    this.sinkGroupId = sinkGroupId;
    this.producer = producer;
    this.committedBatch = committedBatch;
  }

  /**
   * Opens the producer of {@code shard}, fencing off any earlier one of the same shard and sink
   * group, and reads which batch the shard last committed.
   *
   * <p>A shard without state ({@code writerId} null) that finds this sink's progress in Kafka
   * adopts it: it is the same job restarted without its state, and {@link #committedBatch()} tells
   * where its predecessor stopped. Progress in another format, or of another writer while the
   * shard has state, is refused.
   *
   * @param writerId the writer id the shard's state holds, null if it holds none yet
   * @param newWriterId the id to take if the shard has no progress in Kafka yet
   */
  static ShardProducer open(
      KafkaConnection kafka,
      String topic,
      String sinkGroupId,
      int shard,
      String writerId,
      String newWriterId) {
    // Per group, topic and shard: a restarted job's producer fences its predecessor, and two
    // sinks that share a group (each keeps its progress on its own topic) never fence each other.
    String transactionalId = transactionalId(topic, sinkGroupId, shard);
    Producer<String, byte[]> producer = producer(kafka, transactionalId);
    try {
      // Also aborts whatever transaction an earlier producer of this shard left open.
      initTransactions(producer, transactionalId, sinkGroupId);
      OffsetAndMetadata stored = storedProgress(kafka, topic, sinkGroupId, shard);
      ShardProducer opened =
          stored == null || stored.metadata() == null || stored.metadata().isEmpty()
              ? fresh(topic, shard, writerId, newWriterId, sinkGroupId, producer)
              : resumed(topic, shard, writerId, sinkGroupId, producer, stored.metadata());
      LOG.info(
          "Shard {} of {} (transactional id {}): writer {}, last committed batch {}",
          shard, topic, transactionalId, opened.writerId, opened.committedBatch);
      OPEN.add(opened);
      return opened;
    } catch (RuntimeException e) {
      producer.close(CLOSE_AFTER_FAILURE);
      throw e;
    }
  }

  /**
   * Fences whatever producer of {@code shard} an earlier process left behind and aborts its open
   * transaction, so that {@code read_committed} readers of the topic see everything committed at
   * once (an open transaction holds back the last stable offset until it times out).
   */
  static void fence(KafkaConnection kafka, String topic, String sinkGroupId, int shard) {
    String transactionalId = transactionalId(topic, sinkGroupId, shard);
    try (Producer<String, byte[]> producer = producer(kafka, transactionalId)) {
      initTransactions(producer, transactionalId, sinkGroupId);
    }
  }

  /**
   * {@code initTransactions}, whose refusal names what is missing: Kafka's own message
   * ("Transactional Id authorization failed.") names neither the id nor the right to grant. The
   * refusal is final, so it fails at once instead of being retried.
   */
  private static void initTransactions(Producer<String, byte[]> producer, String transactionalId, String sinkGroupId) {
    try {
      producer.initTransactions();
    } catch (TransactionalIdAuthorizationException e) {
      throw new IllegalStateException(
          String.format(
              "Kafka refused transactional id '%s': the pipeline's principal needs WRITE on TransactionalId"
                  + " '%s' (grant WRITE and DESCRIBE on TransactionalIds prefixed '%s'; README \"Security\" lists"
                  + " every ACL the pipelines need)",
              transactionalId, transactionalId, TRANSACTIONAL_ID_PREFIX + sinkGroupId),
          e);
    }
  }

  private static String transactionalId(String topic, String sinkGroupId, int shard) {
    return TRANSACTIONAL_ID_PREFIX + sinkGroupId + "-" + topic + "-shard-" + shard;
  }

  private static Producer<String, byte[]> producer(KafkaConnection kafka, String transactionalId) {
    return new KafkaProducer<>(
        kafka.clientConfig(
            Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class)));
  }

  private static ShardProducer fresh(
      String topic,
      int shard,
      String writerId,
      String newWriterId,
      String sinkGroupId,
      Producer<String, byte[]> producer) {
    if (writerId != null) {
      throw new IllegalStateException(
          String.format(
              "Shard %d of %s has state of writer %s, but sink group %s holds no progress for it"
                  + " in Kafka: was the group deleted, or its offsets expired"
                  + " (offsets.retention.minutes) while the job was stopped?",
              shard, topic, writerId, sinkGroupId));
    }
    return new ShardProducer(topic, shard, newWriterId, sinkGroupId, producer, -1);
  }

  private static ShardProducer resumed(
      String topic,
      int shard,
      String writerId,
      String sinkGroupId,
      Producer<String, byte[]> producer,
      String metadata) {
    Matcher progress = PROGRESS.matcher(metadata);
    if (!progress.matches()) {
      throw new IllegalStateException(
          String.format(
              "Sink group %s holds progress for shard %d of %s that is not this sink's ('%s'):"
                  + " is the group used by another writer? Give this job a new --sinkGroupId.",
              sinkGroupId, shard, topic, metadata));
    }
    String storedWriter = progress.group(2);
    long committedBatch = Long.parseLong(progress.group(1));
    if (writerId == null) {
      // No state, our progress: the same job restarted without its state (a DirectRunner process
      // after a crash, a Flink job that died before its first checkpoint). initTransactions has
      // fenced the predecessor; carry on after its last batch.
      LOG.warn(
          "Shard {} of {} has no state but sink group {} holds progress of writer '{}' up to batch {}:"
              + " adopting it (a restart of the same job); its producer is fenced, numbering continues"
              + " after batch {}",
          shard, topic, sinkGroupId, storedWriter, committedBatch, committedBatch);
      return new ShardProducer(topic, shard, storedWriter, sinkGroupId, producer, committedBatch);
    }
    if (!storedWriter.equals(writerId)) {
      // Two jobs with state share the group.
      throw new IllegalStateException(
          String.format(
              "Sink group %s holds progress of writer '%s' for shard %d of %s, this job's shard is"
                  + " writer '%s': a new job needs a new --sinkGroupId.",
              sinkGroupId, storedWriter, shard, topic, writerId));
    }
    return new ShardProducer(topic, shard, writerId, sinkGroupId, producer, committedBatch);
  }

  /**
   * The last batch this sink committed for {@code shard} under {@code sinkGroupId}, -1 if the group
   * holds no progress of this sink's format for it (the writer decides what to do about foreign
   * progress).
   */
  static long committedBatch(KafkaConnection kafka, String topic, String sinkGroupId, int shard) {
    OffsetAndMetadata stored = storedProgress(kafka, topic, sinkGroupId, shard);
    Matcher progress = PROGRESS.matcher(stored == null || stored.metadata() == null ? "" : stored.metadata());
    return progress.matches() ? Long.parseLong(progress.group(1)) : -1;
  }

  private static OffsetAndMetadata storedProgress(
      KafkaConnection kafka, String topic, String sinkGroupId, int shard) {
    TopicPartition partition = new TopicPartition(topic, shard);
    try (Consumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            kafka.clientConfig(
                Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, sinkGroupId,
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class)))) {
      return consumer.committed(Set.of(partition)).get(partition);
    }
  }

  /** The id this shard's progress is stored under. */
  String writerId() {
    return writerId;
  }

  /** The number of the last batch committed to the topic, -1 if none. */
  long committedBatch() {
    return committedBatch;
  }

  /**
   * Writes {@code records} and the progress "batch {@code batch} done" in one transaction.
   *
   * @return the number of records written
   */
  int commit(long batch, Iterable<KV<String, byte[]>> records) {
    int sent = send(records);
    commit(batch);
    return sent;
  }

  /**
   * Sends {@code records} in this shard's open transaction, beginning one if none is open: several
   * batches can share a transaction, committed by {@link #commit(long)}.
   *
   * @return the number of records sent
   */
  int send(Iterable<KV<String, byte[]>> records) {
    try {
      beginIfNeeded();
      int sent = 0;
      for (KV<String, byte[]> record : records) {
        producer.send(
            new ProducerRecord<>(topic, record.getKey(), record.getValue()),
            (metadata, error) -> {
              if (error != null) {
                failedSend.compareAndSet(null, error);
              }
            });
        // A failed send dooms the transaction; later ones would each block for max.block.ms (a
        // missing or refused topic: a batch of 100 took minutes per attempt). Failures reported
        // asynchronously surface in commitTransaction, which flushes first.
        if (failedSend.get() != null) {
          throw new KafkaException("Sending to " + topic + " failed: " + failedSend.get().getMessage(), failedSend.get());
        }
        sent++;
      }
      return sent;
    } catch (KafkaException e) {
      abortAfter(e);
      throw e;
    }
  }

  /**
   * Commits the open transaction (one holding no records if none is open) with the progress
   * "batches up to {@code lastBatch} done": every batch sent in it, and the progress, become
   * visible at once or not at all.
   */
  void commit(long lastBatch) {
    try {
      beginIfNeeded();
      producer.sendOffsetsToTransaction(
          Map.of(
              new TopicPartition(topic, shard),
              new OffsetAndMetadata(
                  0, String.format("paystream-batches v1 batch=%d writer=%s", lastBatch, writerId))),
          new ConsumerGroupMetadata(sinkGroupId));
      producer.commitTransaction();
      inTransaction = false;
      committedBatch = lastBatch;
    } catch (KafkaException e) {
      abortAfter(e);
      throw e;
    }
  }

  private void beginIfNeeded() {
    if (!inTransaction) {
      producer.beginTransaction();
      inTransaction = true;
      failedSend.set(null);
    }
  }

  private void abortAfter(KafkaException e) {
    if (inTransaction && !(e instanceof ProducerFencedException)) {
      abortQuietly(e);
    }
    inTransaction = false;
  }

  private void abortQuietly(KafkaException cause) {
    try {
      producer.abortTransaction();
    } catch (KafkaException e) {
      cause.addSuppressed(e);
    }
  }

  @Override
  public void close() {
    OPEN.remove(this);
    producer.close();
  }

  /**
   * Closes this producer after a failed write, within {@link #CLOSE_AFTER_FAILURE}. A plain {@link
   * #close} waits for every record still queued, and a record for a topic without metadata (a
   * missing topic, a refused one) waits for {@code delivery.timeout.ms} (2 min): each failed
   * attempt then took minutes and a bounded restart strategy ended the job only after four times
   * that. Dropping the queued records is safe: their transaction is aborted, and the next producer
   * of the shard fences this one.
   */
  public void closeAfterFailure() {
    OPEN.remove(this);
    producer.close(CLOSE_AFTER_FAILURE);
  }

  static final Duration CLOSE_AFTER_FAILURE = Duration.ofSeconds(5);

  /**
   * Closes every producer of this JVM still open, each within {@code timeout}: a producer closed
   * inside a transaction aborts it, where a JVM that stops without closing it leaves the
   * transaction open, holding back every {@code read_committed} reader of the topic until the
   * broker times it out.
   */
  static void closeAll(Duration timeout) {
    for (ShardProducer open : List.copyOf(OPEN)) {
      OPEN.remove(open);
      open.producer.close(timeout);
    }
  }
}
