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
import dev.paystream.transforms.validate.InvalidPaymentException;
import dev.paystream.transforms.validate.PaymentFormat;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * FraudDetectionPipeline}'s, with the merchant step) over generated records on the DirectRunner,
 * scored by several models at once: no Kafka, same decisions. Two ways in: a backlog read in big
 * steps with the merchant step in event-time order (fast), or a live stream's arrival order (one
 * payment per merchant per step: slow, for small inputs).
 */
final class GeneratedDecisions {
  /** PAssert runs its check in this JVM on the DirectRunner: how the decisions get out of the run. */
  private static final Map<String, List<FraudDecision>> COLLECTED = new ConcurrentHashMap<>();

  private GeneratedDecisions() {}

  /**
   * Records per TestStream step of {@link #decide}: the DirectRunner finishes a step before it
   * starts the next, so the customer step sees each customer's payments in order, give or take one
   * step (README, "Detection quality").
   */
  private static final int BACKLOG_STEP = 1_000;

  /**
   * Each model's decisions (by its version) on {@code records}, read as a backlog in steps of
   * {@value #BACKLOG_STEP} records, with the merchant step in event-time order (held for the
   * watermark, as on bounded input): {@link ArrivalOrderDecisionsTest} shows that a live stream's
   * arrival order gets the same decisions.
   */
  static Map<String, List<FraudDecision>> decide(List<GeneratedRecord> records, List<FraudModel> models) {
    FraudDetectionOptions options = options();
    options.setMerchantFeaturesInEventTimeOrder(true);
    Pipeline pipeline = Pipeline.create(options);
    return run(pipeline, GeneratedStream.read(pipeline, records, BACKLOG_STEP), options, models);
  }

  /**
   * Each model's decisions on {@code records} sent as a live stream delivers them: the merchant
   * step adds its features at once, in arrival order. Within a TestStream step a keyed step hands
   * on its output grouped by key, so the merchant step would get a merchant's payments of one step
   * in the order of their customers; a live stream delivers them minutes apart, in their order. A
   * step therefore holds at most one payment per merchant (and at most 100 records): each
   * merchant's payments reach the merchant step in the generator's order. Some 150 steps per
   * thousand records, each a round through the DirectRunner: for small inputs.
   */
  static Map<String, List<FraudDecision>> decideAsLiveStream(List<GeneratedRecord> records, List<FraudModel> models) {
    FraudDetectionOptions options = options();
    Pipeline pipeline = Pipeline.create(options);
    TestStream.Builder<SourceRecord> stream = TestStream.create(AvroCoder.of(SourceRecord.class));
    List<TimestampedValue<SourceRecord>> step = new ArrayList<>();
    Set<String> stepMerchants = new HashSet<>();
    for (int i = 0; i < records.size(); i++) {
      String merchant = merchantOf(records.get(i));
      if (step.size() == 100 || (merchant != null && stepMerchants.contains(merchant))) {
        stream = addStep(stream, step);
        step = new ArrayList<>();
        stepMerchants.clear();
      }
      if (merchant != null) {
        stepMerchants.add(merchant);
      }
      step.add(timestamped(records.get(i), i));
    }
    stream = addStep(stream, step);
    PCollection<SourceRecord> read = pipeline.apply("Generated", stream.advanceWatermarkToInfinity());
    return run(pipeline, read, options, models);
  }

  private static FraudDetectionOptions options() {
    FraudDetectionOptions options = PipelineOptionsFactory.create().as(FraudDetectionOptions.class);
    options.setRunner(DirectRunner.class);
    options.setMerchantFeatures(true); // the model under test, rules-v3, uses them
    DirectOptions direct = options.as(DirectOptions.class);
    // The transforms' own tests check immutability and encodability; here they would cost a deep
    // copy and an encode/decode of every element, several times the run.
    direct.setEnforceImmutability(false);
    direct.setEnforceEncodability(false);
    return options;
  }

  private static TimestampedValue<SourceRecord> timestamped(GeneratedRecord record, long offset) {
    SourceRecord source = new SourceRecord(ByteBuffer.wrap(record.value()), "payments", 0, offset, record.timestampMillis());
    return TimestampedValue.of(source, new Instant(record.timestampMillis()));
  }

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

  private static Map<String, List<FraudDecision>> run(
      Pipeline pipeline, PCollection<SourceRecord> read, FraudDetectionOptions options, List<FraudModel> models) {
    // A plain Pipeline: TestPipeline is a JUnit 4 rule, and this module tests with JUnit 5.
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
