package dev.paystream.io.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a restarted process treats as already output: committed, recent keys only. */
@ExtendWith(LocalStackExtension.class)
@Timeout(180)
class CommittedKeysIT {
  private static final int RECENT = 100_000;

  @Test
  void holdsTheKeysOfCommittedTransactionsWithinTheLookbackOnly(LocalStack stack) {
    KafkaConnection kafka = KafkaConnection.to(stack.kafkaBootstrapServers());
    String topic = "committed-" + System.nanoTime();
    stack.createTopics(Map.of(topic, 4));
    long now = System.currentTimeMillis();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            kafka.clientConfig(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic)),
            new StringSerializer(),
            new StringSerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, null, now - Duration.ofHours(2).toMillis(), "old", "v"));
      producer.commitTransaction();
      producer.beginTransaction();
      for (int i = 0; i < RECENT; i++) {
        producer.send(new ProducerRecord<>(topic, "tx-" + i, "v"));
      }
      producer.commitTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "aborted", "v"));
      producer.flush();
      producer.abortTransaction();
    }

    Runtime runtime = Runtime.getRuntime();
    System.gc();
    long heapBefore = runtime.totalMemory() - runtime.freeMemory();
    long start = System.nanoTime();
    CommittedKeys committed = CommittedKeys.of(kafka, topic, Duration.ofHours(1));
    assertEquals(RECENT, committed.size());
    long loadMillis = (System.nanoTime() - start) / 1_000_000;
    System.gc();
    long heapAfter = runtime.totalMemory() - runtime.freeMemory();
    System.out.printf(
        "CommittedKeys: %,d keys loaded in %d ms, heap +%,d bytes (%d bytes a key)%n",
        RECENT, loadMillis, heapAfter - heapBefore, (heapAfter - heapBefore) / RECENT);

    assertTrue(committed.apply("tx-0") && committed.apply("tx-" + (RECENT - 1)));
    assertFalse(committed.apply("aborted"), "aborted output is not output");
    assertFalse(committed.apply("old"), "older than the lookback");
    // Loaded once: another lookup of the same instance reads nothing again.
    long again = System.nanoTime();
    assertTrue(committed.apply("tx-42"));
    assertTrue((System.nanoTime() - again) < 50_000_000L, "a lookup is in memory");
  }

  /**
   * At start the fraud pipeline needs both the committed decisions' keys (the dedup lookup) and
   * their values (to bring PostgreSQL and Redis up to date): one read of the topic serves both,
   * also when a lookup comes while the values are being handed out.
   */
  @Test
  void oneReadOfTheTopicServesTheValuesAndTheKeys(LocalStack stack) throws Exception {
    KafkaConnection kafka = KafkaConnection.to(stack.kafkaBootstrapServers());
    String topic = "values-" + System.nanoTime();
    stack.createTopics(Map.of(topic, 2));
    int records = 2_000;
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            kafka.clientConfig(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic)),
            new StringSerializer(),
            new StringSerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(topic, "tx-" + i, "value-" + i));
      }
      producer.commitTransaction();
    }

    CommittedKeys committed = CommittedKeys.of(kafka, topic, Duration.ofHours(1));
    List<String> values = new ArrayList<>();
    List<CompletableFuture<Boolean>> lookups = new ArrayList<>();
    committed.forEachValue(value -> {
      if (values.isEmpty()) {
        // A payment reaching the dedup lookup while the values are read waits for this read.
        lookups.add(CompletableFuture.supplyAsync(() -> committed.apply("tx-" + (records - 1))));
      }
      values.add(new String(value, java.nio.charset.StandardCharsets.UTF_8));
    });
    assertEquals(records, values.size());
    assertTrue(values.contains("value-0") && values.contains("value-" + (records - 1)));
    assertTrue(lookups.get(0).get());
    assertEquals(records, committed.size());
    assertEquals(1, CommittedKeys.reads(topic), "the topic was read once for values and keys");

    // Keys loaded first (a payment came before the values were asked for): the values still come.
    CommittedKeys keysFirst = CommittedKeys.of(kafka, topic, Duration.ofHours(1));
    assertEquals(records, keysFirst.size());
    List<byte[]> later = new ArrayList<>();
    keysFirst.forEachValue(later::add);
    assertEquals(records, later.size());
  }
}
