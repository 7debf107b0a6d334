package dev.paystream.io.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.io.sinks.DirectPipelines;
import dev.paystream.io.sinks.TestDecisions;
import dev.paystream.schemas.FraudDecision;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The batched exactly-once sink against the real broker, read back read_committed. */
@ExtendWith(LocalStackExtension.class)
@Timeout(300)
class BatchedTransactionsIT {

  private final LocalStack stack;
  private final KafkaConnection kafka;

  BatchedTransactionsIT(LocalStack stack) {
    this.stack = stack;
    this.kafka = KafkaConnection.to(stack.kafkaBootstrapServers());
  }

  @Test
  void aStreamIsWrittenExactlyOnceInFewTransactions() throws Exception {
    String topic = "batched-" + System.nanoTime();
    stack.createTopics(Map.of(topic, 2));
    List<FraudDecision> decisions = new TestDecisions().decisions(20, 30);
    Pipeline pipeline = DirectPipelines.createNonBlocking();
    DirectPipelines.streamSlowly(pipeline, decisions, FraudDecision.class)
        .apply(
            WriteExactlyOnce.to(kafka, topic, FraudDecision::getTransactionId, topic + "-sink")
                .withShards(2)
                .withBatching(50, org.joda.time.Duration.millis(300))
                .using(ExactlyOnceSink.BATCHED));
    PipelineResult result = pipeline.run();
    try (CommittedTopicReader reader = new CommittedTopicReader(kafka, topic)) {
      reader.readUntil(r -> r.size() >= decisions.size(), Duration.ofMinutes(2));
      // Everything read so far, plus whatever else (a duplicate) arrives in two quiet seconds.
      List<ConsumerRecord<byte[], byte[]>> read = reader.drain(Duration.ofSeconds(2));

      assertEquals(
          decisions.stream().map(FraudDecision::getTransactionId).sorted().toList(),
          CommittedTopicReader.values(read, FraudDecision.getDecoder()).stream()
              .map(FraudDecision::getTransactionId)
              .sorted()
              .toList());
      DirectPipelines.await(
          result,
          "the writer's counters",
          Duration.ofSeconds(30),
          () -> records(result) == decisions.size());
      long transactions = DirectPipelines.counter(result, WriteBatchTransactionsFn.METRICS_NAMESPACE, "transactions");
      // 600 records arrive at 100/s: batches close on the 300 ms delay (about 15 records per
      // shard), never one record per transaction.
      assertTrue(
          transactions <= decisions.size() / 5,
          transactions + " transactions for " + decisions.size() + " records");
    } finally {
      result.cancel();
    }
  }

  @Test
  void aShardWritesItsBatchesInNumberOrderOnceEachWhateverOrderTheyArriveIn() throws Exception {
    String topic = "ordered-" + System.nanoTime();
    stack.createTopics(Map.of(topic, 1));
    // Batch 2 overtakes batch 1 and is delivered twice while it waits; batches 1 and 0 are
    // delivered again after they were written (a retry).
    PipelineResult result =
        writeArrivals(
            topic,
            topic + "-sink",
            arrivals()
                .addElements(batch(0, "a", 2))
                .addElements(batch(2, "c", 2))
                .addElements(batch(2, "c", 2))
                .addElements(batch(1, "b", 1))
                .addElements(batch(1, "b", 1))
                .addElements(batch(0, "a", 2)));

    assertCommittedKeys(topic, List.of("a0", "a1", "b0", "c0", "c1"));
    String namespace = WriteBatchTransactionsFn.METRICS_NAMESPACE;
    // 0 alone; 1 and the held 2 in the bundle that brought 1.
    assertEquals(2, DirectPipelines.counter(result, namespace, "transactions"));
    assertEquals(2, DirectPipelines.counter(result, namespace, "early_batches_held"));
    // The second copy of 2, once 2 is written, and the repeated 1 and 0.
    assertEquals(3, DirectPipelines.counter(result, namespace, "committed_batches_skipped"));
  }

  /**
   * One delivery of three batches (what a completed checkpoint releases on Flink) shares one
   * transaction, which stores the last number; with no time allowed for a transaction to stay open,
   * each batch is a transaction of its own.
   */
  @ParameterizedTest(name = "a transaction may stay open {0} ms")
  @ValueSource(longs = {10_000, 0})
  void theBatchesThatOneBundleBringsAShardShareOneTransactionWhileItMayStayOpen(long maxOpenMillis) throws Exception {
    String topic = "grouped-" + maxOpenMillis + "-" + System.nanoTime();
    stack.createTopics(Map.of(topic, 1));
    String group = topic + "-sink";
    PipelineResult result =
        writeArrivals(
            new WriteBatchTransactionsFn(kafka, topic, group, java.time.Duration.ofMillis(maxOpenMillis)),
            arrivals().addElements(batch(0, "a", 2), batch(1, "b", 1), batch(2, "c", 2)));

    assertCommittedKeys(topic, List.of("a0", "a1", "b0", "c0", "c1"));
    assertTransactions(result, topic, group, maxOpenMillis > 0 ? 1 : 3, 2);
    assertEquals(3, DirectPipelines.counter(result, WriteBatchTransactionsFn.METRICS_NAMESPACE, "batches_written"));
  }

  @Test
  void aReplayedGroupThatTheCommittedNumberCoversInPartHasOnlyTheRestWritten() throws Exception {
    String topic = "overlap-" + System.nanoTime();
    stack.createTopics(Map.of(topic, 1));
    String group = topic + "-sink";
    // An earlier attempt committed batches 0 and 1 in one transaction, and its outcome was lost.
    try (ShardProducer earlier = ShardProducer.open(kafka, topic, group, 0, null, "lost-attempt")) {
      earlier.send(records("a", 2));
      earlier.send(records("b", 1));
      earlier.commit(1);
    }
    // The replay brings them again, with two batches the earlier attempt never wrote.
    PipelineResult result =
        writeArrivals(
            topic,
            group,
            arrivals().addElements(batch(0, "a", 2), batch(1, "b", 1), batch(2, "c", 1), batch(3, "d", 2)));

    assertCommittedKeys(topic, List.of("a0", "a1", "b0", "c0", "d0", "d1"));
    assertEquals(2, DirectPipelines.counter(result, WriteBatchTransactionsFn.METRICS_NAMESPACE, "committed_batches_skipped"));
    assertTransactions(result, topic, group, 1, 3);
  }

  @Test
  void aReopenedShardKnowsItsLastBatchAndFencesTheProducerBeforeIt() {
    String topic = "progress-" + System.nanoTime();
    stack.createTopics(Map.of(topic, 1));
    String group = topic + "-sink";
    // A fenced producer's next transaction fails: at once, or (depending on which request meets
    // the fence first) after max.block.ms with the fence as a suppressed cause; keep that short.
    KafkaConnection shortBlock = kafka.withClientProperties(Map.of("max.block.ms", "5000"));
    ShardProducer first = ShardProducer.open(shortBlock, topic, group, 0, null, "writer-a");
    first.commit(0, records("a", 3));
    first.commit(1, records("b", 2));

    try (ShardProducer reopened = ShardProducer.open(kafka, topic, group, 0, "writer-a", "unused")) {
      assertEquals(1, reopened.committedBatch());
      assertEquals("writer-a", reopened.writerId());
      KafkaException zombie = assertThrows(KafkaException.class, () -> first.commit(2, records("c", 1)));
      assertTrue(
          zombie instanceof ProducerFencedException
              || Arrays.stream(zombie.getSuppressed()).anyMatch(ProducerFencedException.class::isInstance),
          () -> "not fenced: " + zombie);
      reopened.commit(2, records("d", 1));
    } finally {
      first.close();
    }

    assertCommittedKeys(topic, List.of("a0", "a1", "a2", "b0", "b1", "d0"));
  }

  @Test
  void aShardWithoutStateAdoptsItsPredecessorsProgressAndFencesIt() {
    String topic = "adopted-" + System.nanoTime();
    stack.createTopics(Map.of(topic, 1));
    String group = topic + "-sink";
    KafkaConnection shortBlock = kafka.withClientProperties(Map.of("max.block.ms", "5000"));
    ShardProducer crashed = ShardProducer.open(shortBlock, topic, group, 0, null, "crashed-job");
    crashed.commit(0, records("a", 1));
    crashed.commit(1, records("b", 1));

    // The same job restarted without state: no writer id of its own.
    try (ShardProducer restarted = ShardProducer.open(kafka, topic, group, 0, null, "unused")) {
      assertEquals("crashed-job", restarted.writerId());
      assertEquals(1, restarted.committedBatch());
      assertEquals(1, ShardProducer.committedBatch(kafka, topic, group, 0));
      assertThrows(KafkaException.class, () -> crashed.commit(2, records("zombie", 1)));
    } finally {
      crashed.close();
    }
  }

  @Test
  void foreignProgressOrAnotherWritersWhileTheShardHasStateIsRefused() {
    String topic = "taken-" + System.nanoTime();
    stack.createTopics(Map.of(topic, 1));
    String group = topic + "-sink";
    try (ShardProducer earlier = ShardProducer.open(kafka, topic, group, 0, null, "earlier-job")) {
      earlier.commit(0, records("a", 1));
    }
    IllegalStateException otherJob =
        assertThrows(
            IllegalStateException.class,
            () -> ShardProducer.open(kafka, topic, group, 0, "other-job", "unused"));
    assertTrue(otherJob.getMessage().contains("earlier-job"), otherJob.getMessage());

    String foreignGroup = topic + "-foreign";
    try (KafkaConsumer<byte[], byte[]> other =
        new KafkaConsumer<>(
            kafka.clientConfig(Map.of(ConsumerConfig.GROUP_ID_CONFIG, foreignGroup)),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      other.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(0, "someone else's")));
    }
    IllegalStateException foreign =
        assertThrows(
            IllegalStateException.class,
            () -> ShardProducer.open(kafka, topic, foreignGroup, 0, null, "new-job"));
    assertTrue(foreign.getMessage().contains("not this sink's"), foreign.getMessage());
  }

  @Test
  void aJobRestartedWithoutStateResumesAndWritesNothingTwice() throws Exception {
    String topic = "restarted-" + System.nanoTime();
    stack.createTopics(Map.of(topic, 2));
    String group = topic + "-sink";
    TestDecisions source = new TestDecisions();
    List<FraudDecision> first = source.decisions(5, 20);
    List<FraudDecision> second = List.copyOf(source.decisions(10, 20).subList(100, 200));

    try (CommittedTopicReader reader = new CommittedTopicReader(kafka, topic)) {
      // Two processes of the same job, one after the other: the second has no state.
      for (List<FraudDecision> decisions : List.of(first, second)) {
        Pipeline pipeline = DirectPipelines.createNonBlocking();
        DirectPipelines.streamSlowly(pipeline, decisions, FraudDecision.class)
            .apply(
                WriteExactlyOnce.to(kafka, topic, FraudDecision::getTransactionId, group)
                    .withShards(2)
                    .withBatching(20, org.joda.time.Duration.millis(200)));
        PipelineResult result = pipeline.run();
        try {
          int expected = decisions == first ? first.size() : first.size() + second.size();
          reader.readUntil(r -> r.size() >= expected, Duration.ofMinutes(2));
        } finally {
          result.cancel();
        }
      }
      List<String> written =
          CommittedTopicReader.values(reader.drain(Duration.ofSeconds(2)), FraudDecision.getDecoder()).stream()
              .map(FraudDecision::getTransactionId)
              .sorted()
              .toList();
      assertEquals(
          java.util.stream.Stream.concat(first.stream(), second.stream())
              .map(FraudDecision::getTransactionId)
              .sorted()
              .toList(),
          written);
    }
  }

  /** The topic's committed records by key, read once there are as many as expected (and any more within 2 s). */
  private void assertCommittedKeys(String topic, List<String> expected) {
    try (CommittedTopicReader reader = new CommittedTopicReader(kafka, topic)) {
      reader.readUntil(r -> r.size() >= expected.size(), Duration.ofSeconds(30));
      assertEquals(expected, keys(reader.drain(Duration.ofSeconds(2))));
    }
  }

  /** How many transactions the writer committed, and the last batch number shard 0 stored. */
  private void assertTransactions(PipelineResult result, String topic, String group, long transactions, long lastBatch) {
    assertEquals(transactions, DirectPipelines.counter(result, WriteBatchTransactionsFn.METRICS_NAMESPACE, "transactions"));
    assertEquals(lastBatch, ShardProducer.committedBatch(kafka, topic, group, 0));
  }

  /** Numbered batches of shard 0, each {@code addElements} one delivery (a bundle) to the writer. */
  private static TestStream.Builder<KV<Integer, KV<Long, Iterable<KV<String, byte[]>>>>> arrivals() {
    return TestStream.create(
        KvCoder.of(
            VarIntCoder.of(),
            KvCoder.of(VarLongCoder.of(), IterableCoder.of(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of())))));
  }

  /** Runs the writer alone over {@code arrivals} on the DirectRunner, to the end. */
  private PipelineResult writeArrivals(
      String topic, String sinkGroupId, TestStream.Builder<KV<Integer, KV<Long, Iterable<KV<String, byte[]>>>>> arrivals) {
    return writeArrivals(new WriteBatchTransactionsFn(kafka, topic, sinkGroupId), arrivals);
  }

  private static PipelineResult writeArrivals(
      WriteBatchTransactionsFn writer, TestStream.Builder<KV<Integer, KV<Long, Iterable<KV<String, byte[]>>>>> arrivals) {
    Pipeline pipeline = DirectPipelines.create();
    pipeline.apply(arrivals.advanceWatermarkToInfinity()).apply(ParDo.of(writer));
    return pipeline.run();
  }

  private static long records(PipelineResult result) {
    return DirectPipelines.counter(result, WriteBatchTransactionsFn.METRICS_NAMESPACE, "records_written");
  }

  private static KV<Integer, KV<Long, Iterable<KV<String, byte[]>>>> batch(long number, String prefix, int size) {
    return KV.of(0, KV.<Long, Iterable<KV<String, byte[]>>>of(number, records(prefix, size)));
  }

  private static List<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
  }

  private static List<KV<String, byte[]>> records(String prefix, int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> KV.of(prefix + i, new byte[] {(byte) i}))
        .toList();
  }
}
