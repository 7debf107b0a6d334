package dev.paystream.pipelines.generator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.pipelines.KafkaConnections;
import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.transforms.validate.PaymentFormat;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class GeneratePaymentsTest {
  private static final long START = Instant.parse("2025-03-10T08:00:00Z").toEpochMilli();

  private static PaymentGenerator.Builder someRecords() {
    return PaymentGenerator.builder()
        .startMillis(START)
        .malformedFraction(0.05)
        .duplicateFraction(0.05)
        .limit(2_000);
  }

  @Test
  void sendsEveryRecordKeyedByCustomerAndStampedWithItsTime() {
    List<GeneratedRecord> records = PaymentGeneratorTest.drain(someRecords().build());
    MockProducer<String, byte[]> producer =
        new MockProducer<>(true, new StringSerializer(), new ByteArraySerializer());
    PaymentGenerator generator = someRecords().build();

    GeneratorStats sent = GeneratePayments.produce(producer, "payments", () -> generator);

    assertEquals(generator.stats(), sent);
    List<ProducerRecord<String, byte[]>> history = producer.history();
    assertEquals(records.size(), history.size());
    for (int i = 0; i < records.size(); i++) {
      GeneratedRecord record = records.get(i);
      ProducerRecord<String, byte[]> kafkaRecord = history.get(i);
      assertEquals("payments", kafkaRecord.topic());
      assertNull(kafkaRecord.partition());
      assertEquals(record.key(), kafkaRecord.key());
      assertEquals(record.timestampMillis(), kafkaRecord.timestamp());
      assertArrayEquals(record.value(), kafkaRecord.value());
    }
  }

  @Test
  void failsAndStopsWhenKafkaDoesNotAcknowledge() {
    List<GeneratedRecord> records = PaymentGeneratorTest.drain(someRecords().build());
    MockProducer<String, byte[]> producer =
        new MockProducer<>(false, new StringSerializer(), new ByteArraySerializer()) {
          @Override
          public synchronized Future<RecordMetadata> send(
              ProducerRecord<String, byte[]> record, Callback callback) {
            Future<RecordMetadata> result = super.send(record, callback);
            if (history().size() == 10) {
              errorNext(new RecordTooLargeException("no room"));
            } else {
              completeNext();
            }
            return result;
          }
        };

    KafkaException failure =
        assertThrows(
            KafkaException.class, () -> GeneratePayments.produce(producer, "payments", records));

    assertTrue(failure.getMessage().startsWith("1 of 10 records"), failure.getMessage());
    assertEquals(10, producer.history().size());
  }

  @Test
  void liveRecordsGoOutWhenTheClockReachesTheirEventTime() {
    long start = System.currentTimeMillis();
    long deadline = start + 1_500;
    PaymentGenerator live =
        PaymentGenerator.builder()
            .startMillis(start)
            .eventsPerSecond(40)
            .peakMultiplier(1)
            .duplicateFraction(0.05)
            .build();
    int count = 0;
    for (GeneratedRecord record : new WallClockSchedule(live, deadline)) {
      long now = System.currentTimeMillis();
      if (record.kind() != Kind.DUPLICATE) {
        assertTrue(record.timestampMillis() <= now, "sent ahead of its time");
        assertTrue(
            now - record.timestampMillis() < 500,
            "sent " + (now - record.timestampMillis()) + " ms late");
        assertTrue(record.timestampMillis() < deadline);
      }
      count++;
    }
    // 60 expected; Poisson's standard deviation is under 8
    assertTrue(count >= 30 && count <= 95, count + " records in 1.5 s at 40/s");
  }

  @Test
  void liveScheduleEndsWhenInterrupted() {
    PaymentGenerator live =
        PaymentGenerator.builder().startMillis(System.currentTimeMillis() + 60_000).build();
    Thread.currentThread().interrupt();
    try {
      assertFalse(new WallClockSchedule(live, Long.MAX_VALUE).iterator().hasNext());
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void optionsHaveDefaultsAndPassKafkaPropertiesThroughWithoutWeakeningDelivery() {
    GeneratorOptions options =
        PipelineOptionsFactory.fromArgs(
                "--kafkaProperties=security.protocol=SASL_SSL,acks=1", "--format=JSON", "--count=5")
            .withValidation()
            .as(GeneratorOptions.class);

    assertEquals("payments", options.getTopic());
    assertEquals(0, options.getDurationSeconds());
    Map<String, Object> config = GeneratePayments.producerConfig(KafkaConnections.from(options));
    assertEquals("127.0.0.1:9092", config.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
    assertEquals("SASL_SSL", config.get("security.protocol"));
    assertEquals("all", config.get(ProducerConfig.ACKS_CONFIG));
    assertEquals(true, config.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
    GeneratedRecord first = GeneratePayments.generator(options).startMillis(START).build().next();
    assertEquals('{', first.value()[0]);
  }

  @Test
  void refusesToRunWithNothingToDo() {
    GeneratorOptions options =
        PipelineOptionsFactory.fromArgs("--count=0").as(GeneratorOptions.class);
    assertThrows(IllegalArgumentException.class, () -> GeneratePayments.run(options));
  }

  @Test
  void formatsAreTheTwoWireFormats() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            GeneratePayments.generator(
                PipelineOptionsFactory.fromArgs("--format=AUTO").as(GeneratorOptions.class)));
    assertEquals(
        PaymentFormat.AVRO, PipelineOptionsFactory.create().as(GeneratorOptions.class).getFormat());
  }
}
