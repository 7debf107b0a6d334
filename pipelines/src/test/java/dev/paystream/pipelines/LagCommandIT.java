package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/** The lag command on the real broker: a group's committed offset against generated payments. */
@ExtendWith(LocalStackExtension.class)
class LagCommandIT {
  private static final int RECORDS = 200;
  private static final int COMMITTED = 60;

  @Test
  void printsLagInRecordsAndSecondsOfEventTimePerPartition(LocalStack stack) {
    String topic = "payments-lag" + System.nanoTime();
    String group = "fraud-lag" + System.nanoTime();
    stack.createTopics(Map.of(topic, 1, topic + "-other", 1));
    KnownInput input = KnownInput.generate(RECORDS);
    input.produce(dev.paystream.io.kafka.KafkaConnection.to(stack.kafkaBootstrapServers()), topic, 0, RECORDS);
    TopicPartition partition = new TopicPartition(topic, 0);
    try (KafkaConsumer<byte[], byte[]> member =
        new KafkaConsumer<>(
            Map.of("bootstrap.servers", stack.kafkaBootstrapServers(), "group.id", group),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      member.commitSync(Map.of(partition, new OffsetAndMetadata(COMMITTED)), Duration.ofSeconds(10));
    }

    StringWriter printed = new StringWriter();
    CommandLine command = new CommandLine(new LagCommand()).setOut(new PrintWriter(printed));
    int exit =
        command.execute("--bootstrap-servers=" + stack.kafkaBootstrapServers(), "--topic=" + topic, "--group=" + group + ",never-committed");

    assertEquals(0, exit, printed.toString());
    List<String> lines = printed.toString().lines().toList();
    assertEquals(3, lines.size(), printed.toString());
    String[] row = lines.get(1).trim().split("\\s+");
    assertEquals(List.of(group, topic, "0", "60", "200", "140"), List.of(row).subList(0, 6), lines.get(1));
    double seconds = Double.parseDouble(row[6]);
    double expected = (eventTime(input.records, RECORDS - 1, -1) - eventTime(input.records, COMMITTED, 1)) / 1000.0;
    assertEquals(expected, seconds, 0.051, lines.get(1));
    assertTrue(expected > 0, "the generated payments span event time");
    // A group without committed offsets reads from the beginning: everything is lag.
    assertTrue(lines.get(2).matches("never-committed\\s+\\S+\\s+0\\s+0\\s+200\\s+200\\s+.*"), lines.get(2));
  }

  /** The event time of the first record from {@code offset} on (step 1) or back (step -1) that has one. */
  private static long eventTime(List<GeneratedRecord> records, int offset, int step) {
    for (int i = offset; ; i += step) {
      if (records.get(i).kind() != Kind.MALFORMED) {
        return records.get(i).timestampMillis();
      }
    }
  }
}
