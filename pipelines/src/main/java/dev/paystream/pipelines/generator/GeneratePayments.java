package dev.paystream.pipelines.generator;

import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.pipelines.KafkaConnections;
import dev.paystream.pipelines.PipelineMain;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes synthetic payments to Kafka: a backfill of history, then (optionally) a live stream.
 *
 * <pre>
 * mvn -q -pl pipelines dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java -cp "pipelines/target/classes:$(cat pipelines/target/classpath.txt)" \
 *   dev.paystream.pipelines.generator.GeneratePayments \
 *   --bootstrapServers=127.0.0.1:9092 --count=100000 --durationSeconds=300 --rate=50
 * </pre>
 *
 * <p>Records are keyed by customer, so each customer's payments stay in one partition and in order,
 * and carry their event time as the record timestamp. The producer is idempotent with {@code
 * acks=all}, whatever {@code --kafkaProperties} say, so a retry never writes a record twice. See
 * {@link GeneratorOptions} for every option.
 */
public final class GeneratePayments {
  private static final Logger LOG = LoggerFactory.getLogger(GeneratePayments.class);
  private static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(5);

  /** What a record's Kafka timestamp is. */
  public enum RecordTimestamp {
    /** The payment's event time: what this generator does by default. */
    PAYMENT_TIME,
    /**
     * The time the producer sends it, as Kafka's console producer and most clients (the seed's
     * Python producer among them) stamp records: a backfill then carries today's timestamps.
     */
    SEND_TIME
  }

  private GeneratePayments() {}

  /** Exits 0 once Kafka acknowledged every record, 1 otherwise; see {@link PipelineMain}. */
  public static void main(String[] args) {
    PipelineMain.exit(GeneratePayments.class, () -> {
      PipelineOptionsFactory.register(GeneratorOptions.class);
      run(PipelineOptionsFactory.fromArgs(args).withValidation().as(GeneratorOptions.class));
      return 0;
    });
  }

  /**
   * Backfills, then goes live, as the options say; returns the counts of what Kafka acknowledged.
   */
  public static GeneratorStats run(GeneratorOptions options) {
    if (options.getCount() < 0
        || options.getDurationSeconds() < 0
        || options.getCount() + options.getDurationSeconds() == 0) {
      throw new IllegalArgumentException(
          "give --count (backfill records) and/or --durationSeconds (live mode)");
    }
    KafkaConnection kafka = KafkaConnections.from(options);
    Duration progressInterval = Duration.ofSeconds(options.getProgressSeconds());
    LOG.info("Writing payments to topic {} on {}", options.getTopic(), kafka);
    GeneratorStats sent = new GeneratorStats();
    Map<String, Integer> history = Map.of();
    try (Producer<String, byte[]> producer = newProducer(kafka);
        // On SIGTERM or Ctrl-C, what was sent so far still reaches Kafka.
        PipelineMain.Registration flushOnStop =
            PipelineMain.closeOnShutdown("the producer", () -> producer.close(PipelineMain.STOP_WAIT))) {
      if (options.getCount() > 0) {
        PaymentGenerator backfill =
            generator(options).backfill(options.getCount(), System.currentTimeMillis()).build();
        LOG.info(
            "Backfill: {} records from {}",
            options.getCount(),
            Instant.ofEpochMilli(backfill.startMillis()));
        GeneratorStats backfilled =
            send(producer, options.getTopic(), () -> backfill, options.getRecordTimestamp(), progressInterval);
        LOG.info("Backfill done: {}", backfilled);
        sent.addAll(backfilled);
        history = backfill.customerHistory();
      }
      if (options.getDurationSeconds() > 0) {
        long start = System.currentTimeMillis();
        PaymentGenerator live =
            generator(options).startMillis(start).customerHistory(history).build();
        LOG.info(
            "Live: {} s at {} records/s off-peak", options.getDurationSeconds(), options.getRate());
        Iterable<GeneratedRecord> paced =
            new WallClockSchedule(
                live, start + Duration.ofSeconds(options.getDurationSeconds()).toMillis());
        GeneratorStats streamed =
            send(producer, options.getTopic(), paced, options.getRecordTimestamp(), progressInterval);
        LOG.info("Live done: {}", streamed);
        sent.addAll(streamed);
      }
    }
    LOG.info("Sent {}", sent);
    return sent;
  }

  /**
   * Sends every record, flushes, and returns the counts of what was sent.
   *
   * @param records for a generator, {@code () -> generator}; it must end (set a limit)
   * @throws KafkaException if Kafka did not acknowledge every record
   */
  public static GeneratorStats produce(
      Producer<String, byte[]> producer, String topic, Iterable<GeneratedRecord> records) {
    return send(producer, topic, records, RecordTimestamp.PAYMENT_TIME, DEFAULT_PROGRESS_INTERVAL);
  }

  /** Like {@link #produce(KafkaConnection, String, Iterable)}, with record timestamps as {@code timestamps} says. */
  public static GeneratorStats produce(
      KafkaConnection kafka, String topic, Iterable<GeneratedRecord> records, RecordTimestamp timestamps) {
    try (Producer<String, byte[]> producer = newProducer(kafka)) {
      return send(producer, topic, records, timestamps, DEFAULT_PROGRESS_INTERVAL);
    }
  }

  /**
   * Like {@link #produce(Producer, String, Iterable)} with a producer of its own, closed at the
   * end.
   */
  public static GeneratorStats produce(
      KafkaConnection kafka, String topic, Iterable<GeneratedRecord> records) {
    try (Producer<String, byte[]> producer = newProducer(kafka)) {
      return produce(producer, topic, records);
    }
  }

  /** An idempotent, {@code acks=all} producer with the connection's client properties. */
  public static Producer<String, byte[]> newProducer(KafkaConnection kafka) {
    return new KafkaProducer<>(
        producerConfig(kafka), new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * The connection's client properties, except that nothing can turn off idempotence or acks=all.
   */
  static Map<String, Object> producerConfig(KafkaConnection kafka) {
    return kafka.clientConfig(
        Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all"));
  }

  static PaymentGenerator.Builder generator(GeneratorOptions options) {
    return PaymentGenerator.builder()
        .seed(options.getSeed())
        .customers(options.getCustomers())
        .merchants(options.getMerchants())
        .eventsPerSecond(options.getRate())
        .peakMultiplier(options.getPeakMultiplier())
        .format(options.getFormat())
        .schemaVersion(options.getSchemaVersion())
        .fraudFraction(options.getFraudFraction())
        .duplicateFraction(options.getDuplicateFraction())
        .malformedFraction(options.getMalformedFraction());
  }

  private static GeneratorStats send(
      Producer<String, byte[]> producer,
      String topic,
      Iterable<GeneratedRecord> records,
      RecordTimestamp timestamps,
      Duration progressInterval) {
    AtomicLong failed = new AtomicLong();
    AtomicReference<Exception> firstFailure = new AtomicReference<>();
    GeneratorStats sent = new GeneratorStats();
    ProgressLog progress = new ProgressLog(topic, progressInterval);
    for (GeneratedRecord record : records) {
      // An idempotent producer's errors are fatal for what follows: stop rather than pile up
      // failures.
      if (firstFailure.get() != null) {
        break;
      }
      producer.send(
          new ProducerRecord<>(
              topic,
              null,
              // null: the producer stamps the send time
              timestamps == RecordTimestamp.SEND_TIME ? null : record.timestampMillis(),
              record.key(),
              record.value()),
          (metadata, error) -> {
            if (error != null) {
              failed.incrementAndGet();
              firstFailure.compareAndSet(null, error);
            }
          });
      sent.add(record);
      progress.update(sent.total());
    }
    producer.flush();
    if (firstFailure.get() != null) {
      throw new KafkaException(
          failed.get()
              + " of "
              + sent.total()
              + " records sent to "
              + topic
              + " were not acknowledged",
          firstFailure.get());
    }
    return sent;
  }
}
