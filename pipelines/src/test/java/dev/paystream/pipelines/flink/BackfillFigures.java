package dev.paystream.pipelines.flink;

import dev.paystream.io.kafka.ExactlyOnceSink;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.pipelines.AnalyticsCheck;
import dev.paystream.pipelines.AnalyticsOptions;
import dev.paystream.pipelines.KafkaConnections;
import dev.paystream.pipelines.KnownInput;
import java.time.Duration;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Figures, not part of the default test run (the name matches neither surefire's nor failsafe's default includes; run it by name): a 7-day backfill of {@code paystream.figures.count}
 * (default 100,000) seed-format payments (JSON, send-time record timestamps, random order) in batch
 * mode, timed, its windows counted and checked against the reference models.
 *
 * <pre>
 * mvn -B -pl pipelines -am verify -Dtest=None -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dit.test='BackfillFigures#flinkEmbedded' [-Dpaystream.figures.count=100000]
 * </pre>
 */
@ExtendWith(LocalStackExtension.class)
class BackfillFigures {
  private static final Logger LOG = LoggerFactory.getLogger(BackfillFigures.class);

  @Test
  void directRunner(LocalStack stack) throws Exception {
    AnalyticsOptions options = PipelineOptionsFactory.create().as(AnalyticsOptions.class);
    options.setRunner(DirectRunner.class);
    options.as(DirectOptions.class).setEnforceImmutability(false);
    options.as(DirectOptions.class).setEnforceEncodability(false);
    options.setExactlyOnceSink(ExactlyOnceSink.BATCHED);
    figures(stack, options, "figures-direct" + System.nanoTime());
  }

  @Test
  void flinkEmbedded(LocalStack stack) throws Exception {
    String run = "figures-flink" + System.nanoTime();
    AnalyticsOptions options = RunnerProfiles.flinkEmbedded(AnalyticsOptions.class, run);
    options.as(FlinkPipelineOptions.class).setAttachedMode(true);
    figures(stack, options, run);
  }

  private static void figures(LocalStack stack, AnalyticsOptions options, String run) throws Exception {
    int count = Integer.getInteger("paystream.figures.count", 100_000);
    AnalyticsCheck.withTestTopics(options, stack, run);
    AnalyticsCheck.createTopics(stack, options);
    KnownInput input = KnownInput.seedFormat(count, System.currentTimeMillis() - Duration.ofHours(1).toMillis(), 7, 0);
    input.produceWithSendTime(KafkaConnections.from(options), options.getPaymentsTopic(), 0, count);
    long start = System.nanoTime();
    AnalyticsCheck.Committed committed = AnalyticsCheck.backfillEqualsTheReferenceModels(stack, options, input);
    LOG.info(
        "FIGURES {} backfill of {} records over 7 days: {} s including the check; {} stats windows, {} sessions, {} dead letters; equal to the models",
        options.getRunner().getSimpleName(), count, (System.nanoTime() - start) / 1_000_000_000,
        committed.stats().size(), committed.sessions().size(), committed.deadLetters().size());
  }
}
