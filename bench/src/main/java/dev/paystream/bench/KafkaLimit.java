package dev.paystream.bench;

import dev.paystream.schemas.wire.PaymentEventWire;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The physical limit of an exactly-once Kafka-to-Kafka job on this machine: what exactly-once
 * requires and nothing more. A read_committed consumer; each record decoded and re-encoded (the
 * least any pipeline does); output produced in transactions that also commit the consumed offsets.
 * Transactions hold at most as many records as Beam's EOS sink allows (1000), for a fair match.
 *
 * <p>Args: bootstrapServers inputTopic outputTopic records [recordsPerTransaction]. Prints one
 * line {@code RESULT records=<n>} and waits to be stopped: the parent measures time, CPU and memory.
 */
public final class KafkaLimit {
  private KafkaLimit() {}

  public static void main(String[] args) throws InterruptedException {
    String bootstrap = args[0];
    String input = args[1];
    String output = args[2];
    long records = Long.parseLong(args[3]);
    int perTransaction = args.length > 4 ? Integer.parseInt(args[4]) : 1000;

    Map<String, Object> consumerConfig = new HashMap<>();
    consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-limit-" + UUID.randomUUID());
    consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, perTransaction);
    Map<String, Object> producerConfig = new HashMap<>();
    producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-limit-" + UUID.randomUUID());
    producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 5);

    long done = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
      consumer.subscribe(List.of(input));
      producer.initTransactions();
      while (done < records) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
        if (batch.isEmpty()) {
          continue;
        }
        producer.beginTransaction();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : batch) {
          producer.send(new ProducerRecord<>(output, record.key(), reencode(record.value())));
          offsets.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
        }
        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
        producer.commitTransaction();
        done += batch.count();
      }
    }
    System.out.println("RESULT records=" + done);
    // Stay alive until the parent has read this process's CPU time and peak memory and stops it.
    Thread.sleep(Long.MAX_VALUE);
  }

  /** Malformed payloads pass through as they are: the limit does no validation. */
  private static byte[] reencode(byte[] value) {
    try {
      return PaymentEventWire.encode(PaymentEventWire.decode(value));
    } catch (IOException | RuntimeException e) {
      return value;
    }
  }
}
