package dev.paystream.pipelines.detection;

import dev.paystream.pipelines.FraudDetectionOptions;
import dev.paystream.pipelines.FraudDetectionPipeline;
import dev.paystream.pipelines.GeneratedStream;
import dev.paystream.pipelines.ReadDistinctPayments;
import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.SourceRecord;
import dev.paystream.transforms.scoring.FraudModel;
import dev.paystream.transforms.scoring.ScoreFraud;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.values.PCollection;

/**
 * The fraud job's own steps (validation, dedup, features: {@link ReadDistinctPayments} and {@link
 * FraudDetectionPipeline}'s) over generated records on the DirectRunner (TestStream, PAssert), scored by several models at
 * once: no Kafka, same decisions.
 */
final class GeneratedDecisions {
  /**
   * Records per TestStream step ({@link GeneratedStream}; features are point in time either way,
   * only their running statistics see order).
   */
  private static final int STEP = 1_000;

  /** PAssert runs its check in this JVM on the DirectRunner: how the decisions get out of the run. */
  private static final Map<String, List<FraudDecision>> COLLECTED = new ConcurrentHashMap<>();

  private GeneratedDecisions() {}

  /** Each model's decisions (by its version) on {@code records}, sent in the generator's order. */
  static Map<String, List<FraudDecision>> decide(List<GeneratedRecord> records, List<FraudModel> models) {
    FraudDetectionOptions options = PipelineOptionsFactory.create().as(FraudDetectionOptions.class);
    options.setRunner(DirectRunner.class);
    options.setMerchantFeatures(true); // the model under test, rules-v3, uses them
    // The transforms' own tests check immutability and encodability; here they would cost a deep
    // copy and an encode/decode of every element, several times the run.
    options.as(DirectOptions.class).setEnforceImmutability(false);
    options.as(DirectOptions.class).setEnforceEncodability(false);
    // A plain Pipeline: TestPipeline is a JUnit 4 rule, and this module tests with JUnit 5.
    Pipeline pipeline = Pipeline.create(options);

    PCollection<SourceRecord> read = GeneratedStream.read(pipeline, records, STEP);
    PCollection<CustomerFeatures> features =
        FraudDetectionPipeline.features(
            ReadDistinctPayments.validateAndDeduplicate(read, options, null, null).get(ReadDistinctPayments.PAYMENTS),
            options);
    String run = UUID.randomUUID().toString();
    for (FraudModel model : models) {
      String key = run + "/" + model.version();
      PCollection<FraudDecision> decisions = features.apply("Score " + model.version(), ScoreFraud.with(model));
      PAssert.that("Collect " + model.version(), decisions).satisfies(all -> {
        List<FraudDecision> copy = new ArrayList<>();
        all.forEach(copy::add);
        COLLECTED.put(key, copy);
        return null;
      });
    }
    pipeline.run().waitUntilFinish();
    Map<String, List<FraudDecision>> byModel = new HashMap<>();
    models.forEach(m -> byModel.put(m.version(), COLLECTED.remove(run + "/" + m.version())));
    return byModel;
  }
}
