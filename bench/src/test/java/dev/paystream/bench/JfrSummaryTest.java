package dev.paystream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.bench.JfrSummary.Sample;
import dev.paystream.bench.JfrSummary.Share;
import dev.paystream.bench.JfrSummary.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JfrSummaryTest {
  private static final String SINK = "Persist ids -> Write to Kafka (1/2)#0";
  private static final List<String> COMMIT =
      List.of(
          "jdk.internal.misc.Unsafe.park",
          "java.util.concurrent.CountDownLatch.await",
          "org.apache.kafka.clients.producer.internals.TransactionalRequestResult.await",
          "org.apache.kafka.clients.producer.KafkaProducer.commitTransaction",
          "org.apache.beam.sdk.io.kafka.KafkaExactlyOnceSink$ExactlyOnceWriter$ShardWriter.commitTxn");

  @Test
  void chargesJdkFramesToTheirCallersComponent() {
    assertEquals("Avro encode/decode", JfrSummary.component(List.of("java.util.HashMap.get", "org.apache.avro.io.BinaryDecoder.readLong", "dev.paystream.X.y")));
    assertEquals("Beam EOS Kafka sink", JfrSummary.component(List.of("java.lang.Object.hashCode", "org.apache.beam.sdk.io.kafka.KafkaExactlyOnceSink$ExactlyOnceWriter.process")));
    assertEquals("Beam KafkaIO (source)", JfrSummary.component(List.of("org.apache.beam.sdk.io.kafka.ReadFromKafkaDoFn.processElement")));
    assertEquals("other: com.example", JfrSummary.component(List.of("com.example.Foo.bar")));
    assertEquals("JDK only (java.util)", JfrSummary.component(List.of("java.util.HashMap.get", "java.lang.Thread.run")));
  }

  @Test
  void foldsThreadNumbersAndNamesPackages() {
    assertEquals("Source (#/#)##", JfrSummary.threadGroup("Source (1/2)#0"));
    assertEquals("kafka-producer-network-thread | producer-#", JfrSummary.threadGroup("kafka-producer-network-thread | producer-12"));
    assertEquals("org.apache.avro.io", JfrSummary.packageOf("org.apache.avro.io.BinaryDecoder.readLong"));
    assertEquals(
        "WriteDecisions … ParMultiDo(ExactlyOnceWriter) (#/#)##",
        JfrSummary.shortThread(
            "WriteDecisions/WriteKafkaTransactions/KafkaIO.WriteRecords/KafkaExactlyOnceSink/Persist ids -> ToGBKResult -> "
                + "WriteDecisions/WriteKafkaTransactions/KafkaIO.WriteRecords/KafkaExactlyOnceSink/Write to Kafka topic 'x'/ParMultiDo(ExactlyOnceWriter) (#/#)##"));
    assertEquals("main", JfrSummary.shortThread("main"));
    assertEquals(
        "Source: ReadPayments … ParMultiDo(Anonymous) (2/2)#0",
        JfrSummary.shortThread(
            "Source: ReadPayments/ReadKafka/KafkaIO.Read.ReadFromKafkaViaUnbounded/Read(KafkaUnboundedSource) -> Flat Map -> "
                + "DropReplayedOffsets/KeyByPartition/AddKeys/Map/ParMultiDo(Anonymous) (2/2)#0"));
  }

  @Test
  void ranksHotMethodsComponentsAndThreads() {
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      samples.add(new Sample("Source (1/2)#0", List.of("org.apache.avro.io.BinaryDecoder.readLong", "dev.paystream.Validate.parse")));
    }
    for (int i = 0; i < 3; i++) {
      samples.add(new Sample("Source (2/2)#0", List.of("java.util.HashMap.get", "org.apache.flink.runtime.state.heap.CopyOnWriteStateMap.get")));
    }
    samples.add(new Sample(SINK, List.of("org.apache.kafka.clients.producer.KafkaProducer.send")));
    samples.add(new Sample("empty", List.of()));

    JfrSummary summary = JfrSummary.summarise(samples, List.of(), 2);
    assertEquals(10, summary.samples, "samples without a Java stack are not counted");
    assertEquals(new Share("org.apache.avro.io.BinaryDecoder.readLong", 6, 60.0), summary.hotMethods.get(0));
    assertEquals(2, summary.hotMethods.size(), "top 2 only");
    assertEquals("Avro encode/decode", summary.components.get(0).name());
    assertEquals(new Share("Flink state backend / snapshots", 3, 30.0), summary.components.get(1));
    assertEquals(new Share("Source (#/#)##", 9, 90.0), summary.threads.get(0));
    assertEquals(2, summary.topCosts().size());
  }

  @Test
  void countsMetricsCodeAndThreads() {
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      samples.add(new Sample("Source (1/2)#0", List.of("dev.paystream.Validate.parse")));
    }
    // a counter increment under a transform, a scrape of Flink's reporter, the lag gauges' Kafka call
    samples.add(new Sample("Source (1/2)#0", List.of("java.util.concurrent.ConcurrentHashMap.get", "io.prometheus.metrics.core.metrics.Counter.inc", "dev.paystream.Validate.parse")));
    samples.add(new Sample("prometheus-http-1-1", List.of("io.prometheus.client.exporter.HTTPServer$HTTPMetricHandler.handle")));
    samples.add(new Sample("paystream-lag-gauges", List.of("org.apache.kafka.clients.consumer.KafkaConsumer.poll", "dev.paystream.io.kafka.ConsumerLag.of")));
    // a counter's caller is not metrics code, whatever is above it
    samples.set(0, new Sample("Source (1/2)#0", List.of("dev.paystream.Validate.parse", "io.prometheus.metrics.core.metrics.Counter.inc")));

    JfrSummary summary = JfrSummary.summarise(samples, List.of(), 10);
    assertEquals(0.3, summary.metricsShare, 1e-9);
    assertEquals("Prometheus client (recording, scrapes)", JfrSummary.component(samples.get(7).frames()));
    assertTrue(summary.format().contains("and threads: 30.00% of the samples"), summary.format());
  }

  @Test
  void separatesTimeBlockedInKafkaTransactions() {
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      samples.add(new Sample(SINK, List.of("org.apache.kafka.clients.producer.KafkaProducer.send")));
      samples.add(new Sample("Source (1/2)#0", List.of("dev.paystream.Validate.parse")));
    }
    List<Wait> waits =
        List.of(
            new Wait("jdk.ThreadPark", SINK, COMMIT, Duration.ofMillis(4)),
            new Wait("jdk.ThreadPark", SINK, COMMIT, Duration.ofMillis(6)),
            // idle: waiting for input -> left out
            new Wait("jdk.ThreadPark", "Source (1/2)#0",
                List.of("jdk.internal.misc.Unsafe.park", "org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailboxImpl.take"), Duration.ofSeconds(2)),
            new Wait("jdk.ThreadPark", "Source (1/2)#0",
                List.of("jdk.internal.misc.Unsafe.park", "org.apache.beam.sdk.io.kafka.KafkaUnboundedReader.nextBatch"), Duration.ofMillis(500)),
            // an idle pool thread: no CPU samples, not a transaction -> left out of the list
            new Wait("jdk.ThreadPark", "flink-pekko.actor.default-dispatcher-5", List.of("java.util.concurrent.ForkJoinPool.awaitWork"), Duration.ofSeconds(60)));

    JfrSummary summary = JfrSummary.summarise(samples, waits, 10);
    assertEquals(0.010, summary.kafkaTransactionWaitSeconds, 1e-9);
    assertEquals(2, summary.waits.size(), summary.waits::toString);
    assertEquals("ThreadPark in org.apache.beam.sdk.io.kafka.KafkaUnboundedReader.nextBatch", summary.waits.get(0).where());
    JfrSummary.WaitShare transaction = summary.waits.get(1);
    assertEquals("Persist ids -> Write to Kafka (#/#)##", transaction.thread());
    assertTrue(transaction.where().contains("Kafka transaction"), transaction.where());
    assertEquals(2, transaction.events());
    assertEquals(1, summary.transactionWaits.size());
    assertEquals("KafkaProducer.commitTransaction", summary.transactionWaits.get(0).where());
    assertEquals(5.0, summary.transactionWaits.get(0).meanMillis(), 1e-9);
    assertTrue(summary.format().contains("Top three CPU costs: 1. "), summary.format());
  }

  @Test
  void namesTheOutermostProducerCall() {
    List<String> offsets =
        List.of(
            "java.util.concurrent.CountDownLatch.await",
            "org.apache.kafka.clients.producer.internals.TransactionalRequestResult.await",
            "org.apache.kafka.clients.producer.KafkaProducer.sendOffsetsToTransaction",
            "org.apache.kafka.clients.producer.KafkaProducer.sendOffsetsToTransaction",
            "org.apache.beam.sdk.io.kafka.ProducerSpEL$TransactionsImplementation.invoke");
    assertEquals("KafkaProducer.sendOffsetsToTransaction", JfrSummary.producerCall(offsets));
    assertEquals("org.apache.beam.Foo.bar", JfrSummary.producerCall(List.of("java.lang.Object.wait", "org.apache.beam.Foo.bar")));
  }

  @Test
  void lowersTheBlockingThresholdsOfTheJdkProfile(@TempDir Path dir) throws Exception {
    Path settings = JfrSummary.settingsFile(dir);
    String text = Files.readString(settings);
    assertTrue(text.contains("control=\"locking-threshold\">1 ms</setting>"), "ThreadPark threshold lowered");
    assertTrue(text.contains("control=\"socket-threshold\">1 ms</setting>"), "SocketRead threshold lowered");
    assertFalse(text.contains("control=\"locking-threshold\">10 ms</setting>"));
    // and the JDK accepts it
    Configuration.create(settings);
  }

  @Test
  void summarisesARealRecording(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("test.jfr");
    try (Recording recording = new Recording(Configuration.create(JfrSummary.settingsFile(dir)))) {
      recording.start();
      long deadline = System.nanoTime() + Duration.ofMillis(1500).toNanos();
      long sink = 0;
      while (System.nanoTime() < deadline) {
        sink += burn();
      }
      assertTrue(sink != 42);
      recording.stop();
      recording.dump(file);
    }
    JfrSummary summary = JfrSummary.of(file);
    assertTrue(summary.samples > 0, "some CPU samples");
    assertTrue(
        summary.hotMethods.stream().anyMatch(m -> m.name().endsWith("JfrSummaryTest.burn") || m.name().startsWith("java.lang.Math")),
        summary.format());
  }

  private static long burn() {
    long x = 0;
    for (int i = 0; i < 100_000; i++) {
      x += (long) Math.sqrt(i * 31.0 + x % 7);
    }
    return x;
  }
}
