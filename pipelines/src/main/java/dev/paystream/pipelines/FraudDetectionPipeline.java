package dev.paystream.pipelines;

import dev.paystream.io.kafka.CommittedKeys;
import dev.paystream.io.kafka.ReadRecentCommitted;
import dev.paystream.io.kafka.RewindConsumerGroup;
import dev.paystream.io.kafka.WriteExactlyOnce;
import dev.paystream.io.postgres.UpsertToPostgres;
import dev.paystream.io.redis.WriteFeaturesToRedis;
import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.wire.FraudDecisionWire;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.transforms.features.ComputeCustomerFeatures;
import dev.paystream.transforms.features.ComputeMerchantFeatures;
import dev.paystream.transforms.features.DeduplicateAndComputeFeatures;
import dev.paystream.transforms.scoring.FraudModel;
import dev.paystream.transforms.scoring.ScoreFraud;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Payments from Kafka to fraud decisions on Kafka, exactly once:
 *
 * <pre>
 *   payments ─► ReadDistinctPayments ─invalid─► payments.dlq (with reason)
 *                   │ valid, distinct
 *                   ▼
 *             ComputeCustomerFeatures ─► ComputeMerchantFeatures ─► ScoreFraud ─► fraud-decisions
 *                                                │                 └──► PostgreSQL (optional, upsert)
 *                                                └──► Redis feature store (optional, newest wins)
 * </pre>
 *
 * Every record read ends up as exactly one decision, one dead letter, or a dropped duplicate.
 */
public final class FraudDetectionPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(FraudDetectionPipeline.class);

  private FraudDetectionPipeline() {}

  /** Runs until cancelled (SIGTERM, Ctrl-C) or failed; see {@link PipelineMain} for the exit codes. */
  public static void main(String[] args) {
    PipelineMain.exit(FraudDetectionPipeline.class, () -> {
      PipelineOptionsFactory.register(FraudDetectionOptions.class);
      FraudDetectionOptions options =
          PipelineOptionsFactory.fromArgs(args).withValidation().as(FraudDetectionOptions.class);
      Pipeline pipeline = Pipeline.create(options);
      return build(pipeline, options).runToEnd(pipeline);
    });
  }

  /**
   * Adds the fraud detection graph to {@code pipeline}; its source runs it ({@link PaymentSource#run}:
   * a stream is started, a backfill run to its end).
   */
  public static PaymentSource build(Pipeline pipeline, FraudDetectionOptions options) {
    // A backfill reads a bounded part of the topic in batch mode; everything else streams.
    options.setStreaming(!options.getBackfill());
    if (!options.getBackfill()) {
      // A process has no checkpoint: whatever its predecessor read but did not output is read
      // again, and what it did output is recognised (see README, "Restarting").
      RewindConsumerGroup.by(
          KafkaConnections.from(options), options.getConsumerGroup(), options.getPaymentsTopic(), options.getRereadOnStartRecords());
    }
    PaymentSource source = PaymentSource.of(options, options.getConsumerGroup());
    String sinkGroup = ExactlyOnceOutputs.sinkGroupId(options, options.getConsumerGroup());
    LOG.info("Fraud detection on {}: {} -> {} (dead letters: {}), sink group {}",
        KafkaConnections.from(options), options.getPaymentsTopic(), options.getDecisionsTopic(),
        options.getDeadLetterTopic(), sinkGroup);

    WriteExactlyOnce<DeadLetter> writeDeadLetters =
        ExactlyOnceOutputs.deadLetters(options, options.getDeadLetterTopic(), sinkGroup + "-dlq");
    WriteExactlyOnce<FraudDecision> writeDecisions =
        ExactlyOnceOutputs.records(
            options, options.getDecisionsTopic(), FraudDecision::getTransactionId, sinkGroup + "-decisions");
    // Before the committed output is read (on the first payment): a dead predecessor's open
    // transactions would hide what other shards committed after them.
    writeDeadLetters.fencePredecessors();
    writeDecisions.fencePredecessors();
    CommittedKeys decided = committed(options, options.getDecisionsTopic());
    ReadDistinctPayments read =
        ReadDistinctPayments.from(options, source).withCommittedOutput(decided, committed(options, options.getDeadLetterTopic()));
    PCollectionTuple payments =
        pipeline.apply("ReadDistinctPayments", options.getFuseCustomerSteps() ? read.deduplicatedLater() : read);
    payments.get(ReadDistinctPayments.DEAD_LETTERS).apply("WriteDeadLetters", writeDeadLetters);

    PCollection<CustomerFeatures> features =
        options.getFuseCustomerSteps()
            ? withMerchantFeatures(
                payments.get(ReadDistinctPayments.PAYMENTS).apply("DeduplicateAndComputeCustomerFeatures",
                    DeduplicateAndComputeFeatures.of(ReadDistinctPayments.deduplication(options, decided), customerFeatures(options))),
                options)
            : features(payments.get(ReadDistinctPayments.PAYMENTS), options);
    PCollection<FraudDecision> decisions = features.apply("ScoreFraud", ScoreFraud.with(model(options)));
    decisions.apply("WriteDecisions", writeDecisions);
    if (!options.getWriteToPostgres() && !options.getWriteToRedis()) {
      return source;
    }
    PCollection<FraudDecision> committedDecisions = committedDecisions(pipeline, decided);
    if (options.getWriteToPostgres()) {
      PCollectionList.of(decisions)
          .and(committedDecisions)
          .apply("WithCommittedDecisions", Flatten.pCollections())
          .apply("WriteDecisionsToPostgres", UpsertToPostgres.decisions(options));
    }
    if (options.getWriteToRedis()) {
      PCollectionList.of(features)
          .and(committedDecisions.apply("CommittedFeatures",
              MapElements.into(TypeDescriptor.of(CustomerFeatures.class)).via(FraudDecision::getFeatures))
              .setCoder(features.getCoder()))
          .apply("WithCommittedFeatures", Flatten.pCollections())
          .apply("WriteFeaturesToRedis", WriteFeaturesToRedis.from(options));
    }
    return source;
  }

  /**
   * The decisions committed to Kafka within the dedup retention, read again at start (in the same
   * read as the dedup lookup's keys): a payment a predecessor decided is dropped as already
   * decided, so its PostgreSQL row and its features in Redis, if the predecessor died before
   * writing them, come from the committed decision itself (README, "What each store shows during
   * and after a failure"). Both writes are idempotent: the upsert, and Redis's newest-wins script.
   */
  private static PCollection<FraudDecision> committedDecisions(Pipeline pipeline, CommittedKeys decided) {
    return pipeline
        .apply("ReadCommittedDecisions", ReadRecentCommitted.values(decided))
        .apply("DecodeCommittedDecisions", FlatMapElements.into(TypeDescriptor.of(FraudDecision.class)).via(FraudDetectionPipeline::decoded))
        .setCoder(AvroCoder.of(FraudDecision.class));
  }

  /** A committed decision, of this release or an earlier one; none for a value no release wrote (logged). */
  private static List<FraudDecision> decoded(byte[] value) {
    try {
      return List.of(FraudDecisionWire.decode(value));
    } catch (IOException | RuntimeException e) {
      LOG.warn("Skipping a value of the decisions topic that is not a FraudDecision: {}", e.toString());
      return List.of();
    }
  }

  /** What {@code topic} committed within the dedup retention: output of a predecessor. */
  private static CommittedKeys committed(FraudDetectionOptions options, String topic) {
    return CommittedKeys.of(
        KafkaConnections.from(options), topic, java.time.Duration.ofMinutes(options.getDedupRetentionMinutes()));
  }

  /**
   * The job's feature steps, for the job and for an evaluation over in-memory payments ({@code
   * DetectionQualityTest}): per customer, then per merchant from the customer step's output (the
   * graph stays a chain; see {@link ComputeMerchantFeatures}). Applied under the caller's
   * composite: their names are savepoint keys.
   */
  public static PCollection<CustomerFeatures> features(PCollection<PaymentEvent> payments, FraudDetectionOptions options) {
    return withMerchantFeatures(payments.apply("ComputeCustomerFeatures", customerFeatures(options)), options);
  }

  private static ComputeCustomerFeatures customerFeatures(FraudDetectionOptions options) {
    return ComputeCustomerFeatures.create()
        .withMinHistory(options.getMinHistory())
        .withInactivityTtl(Duration.standardDays(options.getCustomerTtlDays()))
        .withPaymentCoder(options.getPaymentCoder());
  }

  /** {@code customerFeatures}, then (with {@code --merchantFeatures}) the merchant step. */
  private static PCollection<CustomerFeatures> withMerchantFeatures(
      PCollection<CustomerFeatures> customerFeatures, FraudDetectionOptions options) {
    if (!options.getMerchantFeatures()) {
      return customerFeatures;
    }
    ComputeMerchantFeatures merchantFeatures =
        ComputeMerchantFeatures.create().withInactivityTtl(Duration.standardDays(options.getMerchantTtlDays()));
    return customerFeatures.apply(
        "ComputeMerchantFeatures",
        options.getMerchantFeaturesInEventTimeOrder() ? merchantFeatures.inEventTimeOrder() : merchantFeatures);
  }

  /** The model the job scores with: {@code --modelFile}, or the release's default. */
  public static FraudModel model(FraudDetectionOptions options) {
    String file = options.getModelFile();
    if (file != null && !file.isBlank()) {
      return FraudModel.load(Path.of(file));
    }
    // rules-v3 needs the merchant features; without them its merchant rules would never fire.
    return options.getMerchantFeatures() ? FraudModel.loadDefault() : FraudModel.loadResource(FraudModel.PREVIOUS_RESOURCE);
  }
}
