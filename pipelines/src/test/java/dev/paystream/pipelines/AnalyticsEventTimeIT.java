package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.kafka.CommittedTopicReader;
import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentStats;
import dev.paystream.schemas.StatsDimension;
import dev.paystream.transforms.analytics.reference.ExpectedStats;
import dev.paystream.transforms.analytics.reference.KeyedWindow;
import dev.paystream.transforms.validate.DeadLetterReason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The streaming analytics pipeline over a week of unordered payments whose record timestamps are
 * their send times: with payment-time watermarks every payment lands in its own window or, when
 * that window had closed, in the dead letters with reason LATE; never in a window of its send time.
 * One partition of the topic stays empty, and must not hold the windows open.
 */
@ExtendWith(LocalStackExtension.class)
class AnalyticsEventTimeIT {

  @Test
  void everyPaymentIsInItsOwnWindowOrDeadLetteredLate(LocalStack stack) throws Exception {
    AnalyticsOptions options = PipelineOptionsFactory.create().as(AnalyticsOptions.class);
    options.setRunner(DirectRunner.class);
    options.as(DirectOptions.class).setBlockOnRun(false);
    // One record per source element, as KafkaIO reads: the watermark then moves between payments.
    // In batches (the DirectRunner's default, 100) the 300 preloaded payments arrive in one or two
    // bundles, each held at its earliest payment's time, and none is late relative to the others.
    options.setSourceBatchRecords(1);
    AnalyticsCheck.withTestTopics(options, stack, "eventtime" + System.nanoTime());
    AnalyticsCheck.createTopics(stack, options);
    KafkaConnection kafka = KafkaConnections.from(options);
    // No re-sends: in an unordered stream, dedup's event-time horizon cannot hold them (see README).
    KnownInput input = KnownInput.seedFormat(300, System.currentTimeMillis() - Duration.ofHours(3).toMillis(), 7, 0);
    input.produceWithSendTime(kafka, options.getPaymentsTopic(), 0, (int) input.total());
    // A partition that no payment reaches, as when a topic has more partitions than active keys:
    // it must not hold the watermark, or no window would ever close.
    try (Admin admin = Admin.create(kafka.clientConfig(Map.of()))) {
      admin.createPartitions(Map.of(options.getPaymentsTopic(), NewPartitions.increaseTo(5))).all().get();
    }
    List<PaymentEvent> payments = input.validPayments();
    Map<KeyedWindow, ExpectedStats> model = AnalyticsCheck.statsModel(payments, options).get(StatsDimension.MERCHANT);

    Pipeline pipeline = Pipeline.create(options);
    AnalyticsPipeline.build(pipeline, options);
    List<PaymentStats> stats;
    List<DeadLetter> late;
    try (CommittedTopicReader statsTopic = new CommittedTopicReader(kafka, options.getStatsTopic());
        CommittedTopicReader deadLetterTopic = new CommittedTopicReader(kafka, options.getAnalyticsDeadLetterTopic())) {
      PipelineResult result = pipeline.run();
      try {
        // Each merchant window fires once the watermark passes it; each payment is counted there or late.
        deadLetterTopic.readUntil(
            records -> {
              List<PaymentStats> merchant = merchantFinals(statsTopic.drain(Duration.ofMillis(1)));
              return counted(merchant) + merchantLate(CommittedTopicReader.values(records, DeadLetter.getDecoder())).size()
                  >= payments.size();
            },
            Duration.ofMinutes(3));
        stats = CommittedTopicReader.values(statsTopic.drain(Duration.ofSeconds(3)), PaymentStats.getDecoder());
        late = merchantLate(CommittedTopicReader.values(deadLetterTopic.drain(Duration.ofMillis(1)), DeadLetter.getDecoder()));
      } finally {
        result.cancel();
      }
    }

    // Every window of every dimension is a window of some payment's own time, none of the send time.
    Map<StatsDimension, Map<KeyedWindow, PaymentStats>> finals = AnalyticsCheck.finalStats(stats);
    Map<StatsDimension, Map<KeyedWindow, ExpectedStats>> models = AnalyticsCheck.statsModel(payments, options);
    finals.forEach(
        (dimension, windows) ->
            windows.keySet().forEach(window -> assertTrue(models.get(dimension).containsKey(window), dimension + " " + window)));
    // Per merchant window: never more than the model's payments, and each payment counted once or late.
    finals.get(StatsDimension.MERCHANT).forEach(
        (window, pane) -> assertTrue(pane.getPaymentCount() <= model.get(window).count(), window.toString()));
    assertEquals(payments.size(), counted(List.copyOf(finals.get(StatsDimension.MERCHANT).values())) + late.size());
    assertTrue(!late.isEmpty(), "an unordered week in a stream has late payments");
  }

  private List<PaymentStats> merchantFinals(List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> records) {
    Map<KeyedWindow, PaymentStats> finals =
        AnalyticsCheck.finalStats(CommittedTopicReader.values(records, PaymentStats.getDecoder()))
            .getOrDefault(StatsDimension.MERCHANT, Map.of());
    return List.copyOf(finals.values());
  }

  private static long counted(List<PaymentStats> finals) {
    return finals.stream().mapToLong(PaymentStats::getPaymentCount).sum();
  }

  private static List<DeadLetter> merchantLate(List<DeadLetter> letters) {
    return letters.stream()
        .filter(l -> l.getErrorCode().equals(DeadLetterReason.LATE.name()) && l.getStage().equals("stats_by_merchant"))
        .toList();
  }
}
