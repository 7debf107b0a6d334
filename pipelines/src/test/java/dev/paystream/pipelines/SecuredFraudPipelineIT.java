package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.io.localstack.LocalStackExtension.Secured;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fraud pipeline on the DirectRunner against the secured broker (SASL_SSL, SCRAM-SHA-512,
 * ACLs enforced), as its own principal with exactly {@link KafkaAcls#fraudDetection} and its
 * credentials from {@code --kafkaPropertiesFile}: every record exactly once, read back
 * read_committed; no password in the options, the transforms' display data, the metrics or the
 * errors. {@code SecuredPipelineProcessIT} checks the logs and exit codes of a pipeline process.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(480)
class SecuredFraudPipelineIT {
  private static final String USER = SecuredRuns.USER;
  private static final int RECORDS = 200;

  @Test
  void decidesExactlyOnceWithOnlyItsAclsAndShowsNoPassword(@Secured LocalStack stack, @TempDir Path dir)
      throws Exception {
    FraudDetectionOptions options = SecuredRuns.secured(FraudDetectionPipelineIT.options(stack, "x"), stack, "secured" + System.nanoTime(), USER, dir);
    stack.grantKafka(KafkaAcls.fraudDetection(options, "User:" + USER));
    KnownInput input = KnownInput.generate(RECORDS);
    input.produce(SecuredRuns.admin(stack), options.getPaymentsTopic(), 0, RECORDS);

    List<String> shown = new ArrayList<>();
    shown.add(options.toString());
    shown.addAll(displayData(options));
    FraudRun.Output output =
        FraudRun.runUntil(
            options, input.validIds.size(), input.malformedReasons.size(), Duration.ofMinutes(6), Duration.ofSeconds(3));

    input.assertExactlyOnce(output.decisions(), output.deadLetters(), options.getPaymentsTopic());
    shown.add(output.metrics().toString());
    Secrets.assertNoneIn(stack.security(), String.join("\n", shown), "options, display data and metrics");
  }

  @Test
  void aWrongPasswordIsRefusedAtOnceAndTheErrorShowsNoPassword(@Secured LocalStack stack, @TempDir Path dir)
      throws Exception {
    FraudDetectionOptions options = SecuredRuns.secured(FraudDetectionPipelineIT.options(stack, "x"), stack, "wrongpw" + System.nanoTime(), USER, dir);
    Path file = Path.of(options.getKafkaPropertiesFile());
    Properties wrong = new Properties();
    wrong.putAll(stack.security().kafkaClientProperties(USER, "not-" + stack.security().kafkaPassword(USER)));
    try (var out = java.nio.file.Files.newBufferedWriter(file)) {
      wrong.store(out, null);
    }
    long start = System.nanoTime();
    Exception refused =
        assertThrows(Exception.class, () -> FraudDetectionPipeline.build(Pipeline.create(options), options));
    long millis = (System.nanoTime() - start) / 1_000_000;
    String chain = Secrets.chain(refused);
    assertTrue(chain.contains(SaslAuthenticationException.class.getName()), chain);
    assertTrue(millis < 20_000, "refused after " + millis + " ms");
    System.out.printf("Wrong password: the pipeline refused in %d ms%n", millis);
    Secrets.assertNoneIn(stack.security(), chain, "the refusal");
  }

  /** What every transform of the pipeline shows as display data (runners' UIs show it). */
  private static List<String> displayData(FraudDetectionOptions options) {
    Pipeline pipeline = Pipeline.create(options);
    FraudDetectionPipeline.build(pipeline, options);
    List<String> shown = new ArrayList<>();
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            visitPrimitiveTransform(node);
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            if (node.getTransform() != null) {
              shown.add(DisplayData.from(node.getTransform()).toString());
            }
          }
        });
    return shown;
  }
}
