package dev.paystream.io.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker stopped and resumed keeps what clients rely on: its cluster id, the records, a group's
 * committed offsets, and the transactions' state (a transactional id is fenced and numbered on, not
 * forgotten); a producer that kept sending through the outage delivers once it is back.
 */
@Timeout(120)
class LocalKafkaRestartIT {

  private static final String TOPIC = "restart";
  private static final String GROUP = "restart-group";
  private static final String TRANSACTIONAL_ID = "restart-tx";

  @Test
  void aResumedBrokerKeepsItsDataOffsetsAndTransactions(@TempDir Path dir) throws Exception {
    int[] ports = Ports.pickFree(2);
    try (LocalKafka kafka = LocalKafka.start(ports[0], ports[1], dir, null)) {
      kafka.createTopics(Map.of(TOPIC, 1), Map.of());
      String clusterId = clusterId(kafka);
      try (KafkaProducer<String, String> transactional = producer(kafka, TRANSACTIONAL_ID)) {
        transactional.initTransactions();
        transactional.beginTransaction();
        transactional.send(new ProducerRecord<>(TOPIC, "before"));
        transactional.commitTransaction();
      }
      commitOffset(kafka, 1);

      Future<RecordMetadata> sentDuringOutage;
      try (KafkaProducer<String, String> idempotent = producer(kafka, null)) {
        // A first send fetches the topic's metadata; without it a send would block until the broker is back.
        idempotent.send(new ProducerRecord<>(TOPIC, "before the outage")).get();
        kafka.stop();
        sentDuringOutage = idempotent.send(new ProducerRecord<>(TOPIC, "during the outage"));
        kafka.resume();
        assertEquals(3, sentDuringOutage.get().offset()); // after "before", its commit marker, "before the outage"
      }

      assertEquals(clusterId, clusterId(kafka));
      assertEquals(List.of("before", "before the outage", "during the outage"), readCommitted(kafka));
      assertEquals(1, committedOffset(kafka));
      // The coordinator still knows the transactional id: a new producer with it commits on.
      try (KafkaProducer<String, String> transactional = producer(kafka, TRANSACTIONAL_ID)) {
        transactional.initTransactions();
        transactional.beginTransaction();
        transactional.send(new ProducerRecord<>(TOPIC, "after"));
        transactional.commitTransaction();
      }
      assertEquals(List.of("before", "before the outage", "during the outage", "after"), readCommitted(kafka));
    }
    // start() is still a fresh broker: the log directory is formatted again.
    try (LocalKafka fresh = LocalKafka.start(ports[0], ports[1], dir, null)) {
      fresh.createTopics(Map.of(TOPIC, 1), Map.of());
      assertEquals(List.of(), readCommitted(fresh));
    }
  }

  private static KafkaProducer<String, String> producer(LocalKafka kafka, String transactionalId) {
    Map<String, Object> config = new java.util.HashMap<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 90_000));
    if (transactionalId != null) {
      config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    }
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }

  private static KafkaConsumer<String, String> consumer(LocalKafka kafka) {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, GROUP,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new StringDeserializer(),
        new StringDeserializer());
  }

  private static void commitOffset(LocalKafka kafka, long offset) {
    try (KafkaConsumer<String, String> consumer = consumer(kafka)) {
      consumer.commitSync(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(offset)));
    }
  }

  private static long committedOffset(LocalKafka kafka) {
    TopicPartition partition = new TopicPartition(TOPIC, 0);
    try (KafkaConsumer<String, String> consumer = consumer(kafka)) {
      return consumer.committed(java.util.Set.of(partition), Duration.ofSeconds(30)).get(partition).offset();
    }
  }

  private static String clusterId(LocalKafka kafka) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      return admin.describeCluster().clusterId().get();
    }
  }

  /** The partition's committed records, up to its last stable offset. */
  private static List<String> readCommitted(LocalKafka kafka) {
    TopicPartition partition = new TopicPartition(TOPIC, 0);
    try (KafkaConsumer<String, String> consumer = consumer(kafka)) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      List<String> values = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (consumer.position(partition) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          if (!record.value().isEmpty()) {
            values.add(record.value());
          }
        }
      }
      return values;
    }
  }
}
