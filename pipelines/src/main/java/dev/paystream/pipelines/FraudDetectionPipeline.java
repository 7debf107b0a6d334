package dev.paystream.pipelines;

import dev.paystream.io.postgres.UpsertToPostgres;
import dev.paystream.io.redis.WriteFeaturesToRedis;
import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.transforms.features.ComputeCustomerFeatures;
import dev.paystream.transforms.scoring.FraudModel;
import dev.paystream.transforms.scoring.ScoreFraud;
import java.nio.file.Path;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
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
 *             ComputeCustomerFeatures ─► ScoreFraud ─► fraud-decisions
 *                   │                      └──► PostgreSQL (optional, upsert)
 *                   └──► Redis feature store (optional, newest wins)
 * </pre>
 *
 * Every record read ends up as exactly one decision, one dead letter, or a dropped duplicate.
 */
public final class FraudDetectionPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(FraudDetectionPipeline.class);

  private FraudDetectionPipeline() {}

  public static void main(String[] args) {
    PipelineOptionsFactory.register(FraudDetectionOptions.class);
    FraudDetectionOptions options =
        PipelineOptionsFactory.fromArgs(args).withValidation().as(FraudDetectionOptions.class);
    Pipeline pipeline = Pipeline.create(options);
    build(pipeline, options).run(pipeline);
  }

  /**
   * Adds the fraud detection graph to {@code pipeline}; its source runs it ({@link PaymentSource#run}:
   * a stream is started, a backfill run to its end).
   */
  public static PaymentSource build(Pipeline pipeline, FraudDetectionOptions options) {
    // A backfill reads a bounded part of the topic in batch mode; everything else streams.
    options.setStreaming(!options.getBackfill());
    PaymentSource source = PaymentSource.of(options, options.getConsumerGroup());
    String sinkGroup = ExactlyOnceOutputs.sinkGroupId(options, options.getConsumerGroup());
    LOG.info("Fraud detection on {}: {} -> {} (dead letters: {}), sink group {}",
        KafkaConnections.from(options), options.getPaymentsTopic(), options.getDecisionsTopic(),
        options.getDeadLetterTopic(), sinkGroup);

    PCollectionTuple payments =
        pipeline.apply("ReadDistinctPayments", ReadDistinctPayments.from(options, source));
    payments
        .get(ReadDistinctPayments.DEAD_LETTERS)
        .apply(
            "WriteDeadLetters",
            ExactlyOnceOutputs.deadLetters(options, options.getDeadLetterTopic(), sinkGroup + "-dlq"));

    PCollection<CustomerFeatures> features =
        payments
            .get(ReadDistinctPayments.PAYMENTS)
            .apply(
                "ComputeCustomerFeatures",
                ComputeCustomerFeatures.create()
                    .withMinHistory(options.getMinHistory())
                    .withInactivityTtl(Duration.standardDays(options.getCustomerTtlDays())));
    PCollection<FraudDecision> decisions = features.apply("ScoreFraud", ScoreFraud.with(model(options)));
    decisions.apply(
        "WriteDecisions",
        ExactlyOnceOutputs.records(
            options, options.getDecisionsTopic(), FraudDecision::getTransactionId, sinkGroup + "-decisions"));
    if (options.getWriteToPostgres()) {
      decisions.apply("WriteDecisionsToPostgres", UpsertToPostgres.decisions(options));
    }
    if (options.getWriteToRedis()) {
      features.apply("WriteFeaturesToRedis", WriteFeaturesToRedis.from(options));
    }
    return source;
  }

  private static FraudModel model(FraudDetectionOptions options) {
    String file = options.getModelFile();
    return file == null || file.isBlank() ? FraudModel.loadDefault() : FraudModel.load(Path.of(file));
  }
}
