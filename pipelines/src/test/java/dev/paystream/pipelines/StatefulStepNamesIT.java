package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.reflect.DoFnSignature;
import org.apache.beam.sdk.transforms.reflect.DoFnSignatures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Savepoints map state to operators by the Beam transform's full name: renaming a stateful step
 * (or a composite around it) orphans its state, and the restored job starts without the dedup and
 * feature history it had. The stateful ParDos of the real fraud graph are listed and compared with
 * the committed list {@code fraud-stateful-steps.txt}; change that list only with a plan for the
 * state (README, "Upgrading a running job").
 *
 * <p>An IT because building the graph reaches the broker (fencing, committed-output lookups).
 */
@ExtendWith(LocalStackExtension.class)
class StatefulStepNamesIT {
  private static final String COMMITTED = "/dev/paystream/pipelines/fraud-stateful-steps.txt";

  @Test
  void statefulStepsKeepTheirNames(LocalStack stack) throws IOException {
    String run = "names" + System.nanoTime();
    FraudDetectionOptions options = FraudDetectionPipelineIT.options(stack, run);
    options.setMerchantFeatures(true); // every stateful step a job may have: their names are savepoint keys
    stack.createTopics(Map.of(options.getPaymentsTopic(), 1, options.getDecisionsTopic(), 1, options.getDeadLetterTopic(), 1));
    Pipeline pipeline = Pipeline.create(options);
    FraudDetectionPipeline.build(pipeline, options);

    List<String> actual = statefulSteps(pipeline);
    Path written = Path.of("target/fraud-stateful-steps.txt");
    Files.write(written, actual);
    assertEquals(committed(), actual, "stateful step names changed (actual list in " + written.toAbsolutePath() + ")");
  }

  /** Full names of the ParDos that declare state or timers, in graph order. */
  static List<String> statefulSteps(Pipeline pipeline) {
    List<String> names = new ArrayList<>();
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            if (node.getTransform() instanceof ParDo.MultiOutput<?, ?> parDo && isStateful(parDo.getFn())) {
              names.add(node.getFullName());
            }
          }
        });
    return names;
  }

  private static boolean isStateful(DoFn<?, ?> fn) {
    DoFnSignature signature = DoFnSignatures.getSignature(fn.getClass());
    return !signature.stateDeclarations().isEmpty() || !signature.timerDeclarations().isEmpty();
  }

  private static List<String> committed() throws IOException {
    try (InputStream in = StatefulStepNamesIT.class.getResourceAsStream(COMMITTED)) {
      return in == null ? List.of() : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }
  }
}
