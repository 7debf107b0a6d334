package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.transforms.dedup.DeduplicatePayments;
import dev.paystream.transforms.validate.ValidatePayments;
import java.time.Duration;
import java.util.Map;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The backbone, end to end on the real broker: generated payments with known duplicates and
 * malformed records go through the pipeline on the DirectRunner, and the committed output is read
 * back with a read_committed consumer.
 */
@ExtendWith(LocalStackExtension.class)
class FraudDetectionPipelineIT {
  private static final int RECORDS = 3_000;

  @Test
  void everyRecordEndsUpAsExactlyOneDecisionDeadLetterOrDroppedDuplicate(LocalStack stack) throws Exception {
    String run = "it" + System.nanoTime();
    FraudDetectionOptions options = options(stack, run);
    stack.createTopics(
        Map.of(options.getPaymentsTopic(), 4, options.getDecisionsTopic(), 4, options.getDeadLetterTopic(), 1));

    KnownInput input = KnownInput.generate(RECORDS);
    input.produce(KafkaConnections.from(options), options.getPaymentsTopic(), 0, RECORDS);

    FraudRun.Output output =
        FraudRun.runUntil(
            options, input.validIds.size(), input.malformedReasons.size(), Duration.ofMinutes(4), Duration.ofSeconds(5));

    input.assertExactlyOnce(output.decisions(), output.deadLetters(), options.getPaymentsTopic());
    // The pipeline's own counters agree with what was committed.
    assertEquals(input.duplicates(), output.counter(DeduplicatePayments.METRICS_NAMESPACE, "duplicates"), "duplicates dropped");
    assertEquals(
        input.validIds.size() + input.duplicates(), output.counter(ValidatePayments.METRICS_NAMESPACE, "valid"));
  }

  static FraudDetectionOptions options(LocalStack stack, String run) {
    FraudDetectionOptions options = PipelineOptionsFactory.create().as(FraudDetectionOptions.class);
    options.setRunner(DirectRunner.class);
    options.as(DirectOptions.class).setBlockOnRun(false);
    return KnownInput.withTestTopics(options, stack, run);
  }
}
