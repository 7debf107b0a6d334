package dev.paystream.io.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

@ExtendWith(LocalStackExtension.class)
@Timeout(60)
class LocalStackIT {

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  private final LocalStack stack;

  LocalStackIT(LocalStack stack) {
    this.stack = stack;
  }

  @Test
  void readCommittedConsumerSeesCommittedTransactionsOnly() {
    String topic = "tx-" + UUID.randomUUID();
    stack.createTopics(Map.of(topic, 1));
    stack.createTopics(Map.of(topic, 1)); // creating an existing topic again is fine

    try (KafkaProducer<String, String> producer = transactionalProducer()) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "committed-1"));
      producer.send(new ProducerRecord<>(topic, "committed-2"));
      producer.commitTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "aborted"));
      producer.flush(); // so that the record reaches the log before the abort
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "committed-3"));
      producer.commitTransaction();
    }

    assertEquals(
        List.of("committed-1", "committed-2", "committed-3"), readAll(topic, "read_committed"));
    // The aborted record did reach the log: it is the isolation level that hides it.
    assertEquals(
        List.of("committed-1", "committed-2", "aborted", "committed-3"),
        readAll(topic, "read_uncommitted"));
  }

  @Test
  void beamPipelineOptionsWorkBesideTheBroker() {
    // The broker's jackson-module-scala, if it crept back onto the classpath, would break Beam's
    // option parsing in this JVM (see the exclusion on kafka_2.13 in the root pom).
    PipelineOptions options =
        PipelineOptionsFactory.fromArgs("--jobName=local-stack-it").create();

    assertEquals("local-stack-it", options.getJobName());
  }

  @Test
  void postgresRunsQueries() throws SQLException {
    String table = "payments_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection connection =
            DriverManager.getConnection(
                stack.jdbcUrl(), stack.postgresUser(), stack.postgresPassword());
        Statement statement = connection.createStatement()) {
      assertEquals(1, singleInt(statement, "select 1"));

      statement.execute("create table " + table + " (id int primary key, amount numeric)");
      statement.execute("insert into " + table + " values (1, 10.50), (2, 4.50)");
      try (ResultSet rows = statement.executeQuery("select sum(amount) from " + table)) {
        assertTrue(rows.next());
        assertEquals("15.00", rows.getBigDecimal(1).toPlainString());
      }
    }
  }

  @Test
  void redisStoresValues() {
    String key = "customer:" + UUID.randomUUID();
    try (Jedis redis = new Jedis(URI.create(stack.redisUrl()))) {
      assertEquals("OK", redis.set(key, "42"));
      assertEquals("42", redis.get(key));
    }
  }

  @Test
  void secondStackOnTheSameKafkaPortFailsClearly() {
    LocalStack.Builder second =
        LocalStack.builder().kafkaPort(stack.kafkaPort()).postgresPort(0).redisPort(0);

    PortInUseException e = assertThrows(PortInUseException.class, second::start);

    assertEquals(
        "Kafka port "
            + stack.kafkaPort()
            + " on 127.0.0.1 is already in use; pass --kafkaPort=<free port> (0 picks one)"
            + " or stop the other process",
        e.getMessage());
  }

  private KafkaProducer<String, String> transactionalProducer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers(),
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, "local-stack-it-" + UUID.randomUUID()),
        new StringSerializer(),
        new StringSerializer());
  }

  /** Reads the topic's only partition from the start up to its end at the isolation level. */
  private List<String> readAll(String topic, String isolationLevel) {
    TopicPartition partition = new TopicPartition(topic, 0);
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel),
            new StringDeserializer(),
            new StringDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      // For read_committed the end offset is the last stable offset, past every finished
      // transaction, so reaching it means every visible record has been read.
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      List<String> values = new ArrayList<>();
      while (consumer.position(partition) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
      return values;
    }
  }

  private static int singleInt(Statement statement, String sql) throws SQLException {
    try (ResultSet rows = statement.executeQuery(sql)) {
      assertTrue(rows.next());
      return rows.getInt(1);
    }
  }
}
