package dev.paystream.pipelines.flink;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.pipelines.AnalyticsCheck;
import dev.paystream.pipelines.AnalyticsOptions;
import java.util.concurrent.TimeUnit;
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
    String run = "flink" + System.nanoTime();
    AnalyticsOptions options = RunnerProfiles.flinkEmbedded(AnalyticsOptions.class, "analytics-" + run);

    AnalyticsCheck.finalPanesEqualTheReferenceModels(stack, AnalyticsCheck.withTestTopics(options, stack, run), 1_500);
  }
}
