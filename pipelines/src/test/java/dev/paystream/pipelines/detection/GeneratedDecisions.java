package dev.paystream.pipelines.detection;

import dev.paystream.pipelines.FraudDetectionOptions;
import dev.paystream.pipelines.FraudDetectionPipeline;
import dev.paystream.pipelines.ReadDistinctPayments;
import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.SourceRecord;
import dev.paystream.transforms.scoring.FraudModel;
import dev.paystream.transforms.scoring.ScoreFraud;
import dev.paystream.transforms.validate.InvalidPaymentException;
import dev.paystream.transforms.validate.PaymentFormat;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;

/**
 * The fraud job's own steps (validation, dedup, features: {@link ReadDistinctPayments} and {@link
 * FraudDetectionPipeline}'s) over generated records on the DirectRunner (TestStream, PAssert), scored by several models at
 * once: no Kafka, same decisions.
 */
final class GeneratedDecisions {
  /**
   * At most this many records per TestStream step, as the DirectRunner's source reads
   * (--sourceBatchRecords). The DirectRunner finishes a step before it starts the next.
   */
  static final int MAX_STEP_RECORDS = 100;

  /** PAssert runs its check in this JVM on the DirectRunner: how the decisions get out of the run. */
  private static final Map<String, List<FraudDecision>> COLLECTED = new ConcurrentHashMap<>();

  private GeneratedDecisions() {}

  /** The merchant of a valid payment, else null (malformed records and duplicates never reach the merchant step). */
  private static String merchantOf(GeneratedRecord record) {
    if (record.kind() != GeneratedRecord.Kind.VALID) {
      return null;
    }
    try {
      return PaymentFormat.AUTO.decode(record.value()).getMerchantId();
    } catch (InvalidPaymentException e) {
      return null;
    }
  }

  @SuppressWarnings("unchecked")
  private static TestStream.Builder<SourceRecord> addStep(
      TestStream.Builder<SourceRecord> stream, List<TimestampedValue<SourceRecord>> step) {
    return stream.addElements(step.get(0), step.subList(1, step.size()).toArray(TimestampedValue[]::new));
  }

  /** Each model's decisions (by its version) on {@code records}, sent in the generator's order. */
  static Map<String, List<FraudDecision>> decide(List<GeneratedRecord> records, List<FraudModel> models) {
    return decide(records, models, MAX_STEP_RECORDS);
  }

  static Map<String, List<FraudDecision>> decide(List<GeneratedRecord> records, List<FraudModel> models, int maxStepRecords) {
    FraudDetectionOptions options = PipelineOptionsFactory.create().as(FraudDetectionOptions.class);
    options.setRunner(DirectRunner.class);
    options.setMerchantFeatures(true); // the model under test, rules-v3, uses them
    // The transforms' own tests check immutability and encodability; here they would cost a deep
    // copy and an encode/decode of every element, several times the run.
    options.as(DirectOptions.class).setEnforceImmutability(false);
    options.as(DirectOptions.class).setEnforceEncodability(false);
    // A plain Pipeline: TestPipeline is a JUnit 4 rule, and this module tests with JUnit 5.
    Pipeline pipeline = Pipeline.create(options);

    // Within a step a keyed step hands on its output grouped by key, so the merchant step, which
    // adds its features in arrival order, would get a merchant's payments of one step in the order
    // of their customers; a live stream delivers them minutes apart, in their order. A step
    // therefore holds at most one payment per merchant: each merchant's payments reach the merchant
    // step in the generator's order, in far fewer steps than one record each.
    TestStream.Builder<SourceRecord> stream = TestStream.create(AvroCoder.of(SourceRecord.class));
    List<TimestampedValue<SourceRecord>> step = new ArrayList<>();
    Set<String> stepMerchants = new HashSet<>();
    int steps = 0;
    for (int i = 0; i < records.size(); i++) {
      GeneratedRecord record = records.get(i);
      String merchant = merchantOf(record);
      if (step.size() == maxStepRecords || (merchant != null && stepMerchants.contains(merchant))) {
        stream = addStep(stream, step);
        steps++;
        step = new ArrayList<>();
        stepMerchants.clear();
      }
      if (merchant != null) {
        stepMerchants.add(merchant);
      }
      SourceRecord source = new SourceRecord(ByteBuffer.wrap(record.value()), "payments", 0, (long) i, record.timestampMillis());
      step.add(TimestampedValue.of(source, new Instant(record.timestampMillis())));
    }
    stream = addStep(stream, step);
    steps++;
    System.out.printf("%,d records in %,d TestStream steps%n", records.size(), steps);
    PCollection<SourceRecord> read = pipeline.apply("Generated", stream.advanceWatermarkToInfinity());
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
