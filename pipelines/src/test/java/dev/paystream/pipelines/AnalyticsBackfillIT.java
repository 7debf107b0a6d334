package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.kafka.OffsetRanges;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.schemas.PaymentStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import dev.paystream.io.kafka.ExactlyOnceSink;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A week of payments written as ordinary producers write them (JSON, record timestamp = send time,
 * random order over 7 days), backfilled in batch mode on the DirectRunner: every window equals the
 * reference models over the payments' own times; the group's offsets end where the backfill did;
 * a re-run changes no row.
 */
@ExtendWith(LocalStackExtension.class)
class AnalyticsBackfillIT {

  @Test
  void aBackfillOfAnUnorderedWeekGivesEveryWindowOfThePaymentsOwnTimes(LocalStack stack) throws Exception {
    AnalyticsOptions options = options(stack, "backfill" + System.nanoTime());
    AnalyticsCheck.createTopics(stack, options);
    KafkaConnection kafka = KafkaConnections.from(options);
    KnownInput input = KnownInput.seedFormat(800, System.currentTimeMillis() - Duration.ofHours(1).toMillis(), 7, 0.03);
    input.produceWithSendTime(kafka, options.getPaymentsTopic(), 0, (int) input.total());

    AnalyticsCheck.backfillEqualsTheReferenceModels(stack, options, input);

    // The streaming job of the same group starts after the last record the backfill read.
    Map<TopicPartition, Long> ends =
        OffsetRanges.upToEnd(kafka, options.getPaymentsTopic(), "nobody", OffsetRanges.Start.BEGINNING).ranges().stream()
            .collect(Collectors.toMap(r -> new TopicPartition(options.getPaymentsTopic(), r.partition()), OffsetRanges.Range::end));
    assertEquals(ends, OffsetRanges.committed(kafka, options.getAnalyticsConsumerGroup(), options.getPaymentsTopic()));

    // Reprocessing the whole history again leaves every row as it was.
    List<PaymentStats> before = AnalyticsCheck.storedStats(stack);
    options.setBackfillFrom(OffsetRanges.Start.BEGINNING);
    AnalyticsCheck.runBackfill(options);
    assertEquals(before, AnalyticsCheck.storedStats(stack));
  }

  private static AnalyticsOptions options(LocalStack stack, String run) {
    AnalyticsOptions options = PipelineOptionsFactory.create().as(AnalyticsOptions.class);
    options.setRunner(DirectRunner.class);
    // Checks that encode every element twice over; the transforms' unit tests keep them on.
    options.as(DirectOptions.class).setEnforceImmutability(false);
    options.as(DirectOptions.class).setEnforceEncodability(false);
    options.setExactlyOnceSink(ExactlyOnceSink.BATCHED);
    return AnalyticsCheck.withTestTopics(options, stack, run);
  }
}
