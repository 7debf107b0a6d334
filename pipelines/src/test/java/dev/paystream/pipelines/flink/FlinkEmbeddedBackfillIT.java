package dev.paystream.pipelines.flink;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.pipelines.AnalyticsCheck;
import dev.paystream.pipelines.AnalyticsOptions;
import dev.paystream.pipelines.KafkaConnections;
import dev.paystream.pipelines.KnownInput;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The analytics backfill of {@code AnalyticsBackfillIT} in batch mode on Flink 1.19 embedded, with
 * the options of {@code runner-profiles/flink-embedded.options}: a week of unordered payments whose
 * record timestamps are their send times gives the reference models' windows.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FlinkEmbeddedBackfillIT {

  @Test
  void aBackfillOfAnUnorderedWeekGivesEveryWindowOfThePaymentsOwnTimes(LocalStack stack) throws Exception {
    String run = "flinkbackfill" + System.nanoTime();
    AnalyticsOptions options = RunnerProfiles.flinkEmbedded(AnalyticsOptions.class, "analytics-" + run);
    // A bounded job ends by itself: wait for it (PaymentSource.run commits the offsets after).
    options.as(FlinkPipelineOptions.class).setAttachedMode(true);
    AnalyticsCheck.withTestTopics(options, stack, run);
    AnalyticsCheck.createTopics(stack, options);
    // No re-sends: DeduplicatePayments keeps ids for an event-time horizon behind each customer's
    // newest payment, and Flink's batch runner hands a customer's week to it in any order, so a
    // re-send can come after its original was forgotten (the DirectRunner keeps the read order).
    KnownInput input = KnownInput.seedFormat(800, System.currentTimeMillis() - Duration.ofHours(1).toMillis(), 7, 0);
    input.produceWithSendTime(KafkaConnections.from(options), options.getPaymentsTopic(), 0, (int) input.total());

    AnalyticsCheck.backfillEqualsTheReferenceModels(stack, options, input);
  }
}
