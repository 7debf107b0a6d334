package dev.paystream.pipelines;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The analytics pipeline on the DirectRunner against the reference models: see {@link AnalyticsCheck}. */
@ExtendWith(LocalStackExtension.class)
class AnalyticsPipelineIT {

  @Test
  void finalPanesInKafkaAndPostgresEqualTheReferenceModels(LocalStack stack) throws Exception {
    AnalyticsOptions options = PipelineOptionsFactory.create().as(AnalyticsOptions.class);
    options.setRunner(DirectRunner.class);
    options.as(DirectOptions.class).setBlockOnRun(false);

    AnalyticsCheck.finalPanesEqualTheReferenceModels(
        stack, AnalyticsCheck.withTestTopics(options, stack, "it" + System.nanoTime()), 1_500);
  }
}
