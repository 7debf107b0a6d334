package dev.paystream.pipelines.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.pipelines.AnalyticsCheck;
import dev.paystream.pipelines.AnalyticsOptions;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The analytics pipeline on Flink 1.19 embedded in this JVM, with the options of {@code
 * runner-profiles/flink-embedded.options}: the same input and checks as the DirectRunner's {@code
 * AnalyticsPipelineIT} (see {@link AnalyticsCheck}).
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class FlinkEmbeddedAnalyticsIT {

  @Test
  void finalPanesInKafkaAndPostgresEqualTheReferenceModels(LocalStack stack) throws Exception {
    AnalyticsOptions options =
        PipelineOptionsFactory.fromArgs(RunnerProfiles.args("flink-embedded.options").toArray(String[]::new))
            .withValidation()
            .as(AnalyticsOptions.class);
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    assertEquals(FlinkRunner.class, flink.getRunner());
    // Hand the job back at once instead of blocking until it ends (it never does by itself).
    flink.setAttachedMode(false);
    String run = "flink" + System.nanoTime();
    flink.setJobName("analytics-" + run);

    AnalyticsCheck.finalPanesEqualTheReferenceModels(stack, AnalyticsCheck.withTestTopics(options, stack, run), 1_500);
  }
}
