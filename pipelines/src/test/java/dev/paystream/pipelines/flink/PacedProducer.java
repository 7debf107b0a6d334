package dev.paystream.pipelines.flink;

import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.pipelines.generator.GeneratePayments;
import dev.paystream.pipelines.generator.GeneratedRecord;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Streams generated records to a topic at a fixed rate, from a timer thread, whatever happens to the
 * pipeline; remembers where each record landed (partition, offset) and in which phase of the run
 * it was sent, for the audit. Each phase has its share of the records: the stream pauses once the
 * phase's share is sent and goes on when the next phase begins, so that every fault meets traffic
 * however long the recoveries before it took (on a slow machine a recovery outlasted a whole
 * unpaced stream, and the faults after it met none).
 */
final class PacedProducer implements AutoCloseable {
  private static final int TICK_MILLIS = 10;

  private final List<GeneratedRecord> records;
  private final String topic;
  private final Producer<String, byte[]> producer;
  private final double perTick;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  // written by the producer's I/O thread, read by the audit
  private final AtomicIntegerArray partitions;
  private final AtomicLongArray offsets;
  private final int[] phases;
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private volatile int phase;
  private volatile int phaseEnd;
  private volatile int sent;
  private double due;

  PacedProducer(KafkaConnection kafka, String topic, List<GeneratedRecord> records, int perSecond) {
    this.records = records;
    this.topic = topic;
    // A broker outage holds sends in the producer's buffer: give them longer than the outage (30 s)
    // plus the broker's restart before a send counts as failed (the default is 2 minutes).
    this.producer = GeneratePayments.newProducer(
        kafka.withClientProperties(Map.of(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000")));
    this.perTick = perSecond * TICK_MILLIS / 1000.0;
    this.partitions = new AtomicIntegerArray(records.size());
    this.offsets = new AtomicLongArray(records.size());
    this.phases = new int[records.size()];
    for (int i = 0; i < records.size(); i++) {
      offsets.set(i, -1);
    }
  }

  void start() {
    timer.scheduleAtFixedRate(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * Records sent from now on belong to {@code phase}, up to record {@code end} (exclusive): then the
   * stream pauses until the next phase.
   */
  void phase(int phase, int end) {
    this.phase = phase;
    this.phaseEnd = Math.min(end, records.size());
  }

  /** Whether the current phase's share of the records is sent. */
  boolean phaseSent() {
    return sent >= phaseEnd;
  }

  int sent() {
    return sent;
  }

  boolean done() {
    return sent == records.size();
  }

  int phaseOf(int index) {
    return phases[index];
  }

  /** Where record {@code index} landed, once Kafka acknowledged it; -1 before. */
  long offset(int index) {
    return offsets.get(index);
  }

  int partition(int index) {
    return partitions.get(index);
  }

  /** Sends one extra record now, outside the generated stream, and waits for its acknowledgement. */
  RecordMetadata sendNow(byte[] value) throws Exception {
    return producer.send(new ProducerRecord<>(topic, null, System.currentTimeMillis(), null, value)).get();
  }

  /** A send failed: the audit would blame the pipeline for the producer's loss. */
  void checkHealthy() throws Exception {
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  private void tick() {
    // Paused at the phase's end: no backlog builds up to be sent in a burst when the next begins.
    due = Math.min(due + perTick, phaseEnd);
    int end = (int) due;
    for (int i = sent; i < end; i++) {
      int index = i;
      GeneratedRecord record = records.get(i);
      phases[i] = phase;
      producer.send(
          new ProducerRecord<>(topic, null, record.timestampMillis(), record.key(), record.value()),
          (metadata, error) -> {
            if (error != null) {
              failure.compareAndSet(null, error);
            } else {
              partitions.set(index, metadata.partition());
              offsets.set(index, metadata.offset());
            }
          });
    }
    sent = Math.max(sent, end);
    if (end == records.size()) {
      producer.flush();
      timer.shutdown();
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    producer.close();
  }
}
