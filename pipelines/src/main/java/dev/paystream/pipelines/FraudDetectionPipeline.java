package dev.paystream.pipelines;

import dev.paystream.io.kafka.DropReplayedOffsets;
import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.kafka.ReadPaymentRecords;
import dev.paystream.io.kafka.WriteExactlyOnce;
import dev.paystream.io.postgres.UpsertToPostgres;
import dev.paystream.io.redis.WriteFeaturesToRedis;
import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.SourceRecord;
import dev.paystream.transforms.dedup.DeduplicatePayments;
import dev.paystream.transforms.features.ComputeCustomerFeatures;
import dev.paystream.transforms.scoring.FraudModel;
import dev.paystream.transforms.scoring.ScoreFraud;
import dev.paystream.transforms.validate.ValidatePayments;
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
 *   payments ─► DropReplayedOffsets (on Flink: each partition offset once, whatever the source replays)
 *                   │
 *                   ▼
 *             ValidatePayments ─invalid─► payments.dlq (with reason)
 *                   │ valid
 *                   ▼
 *             DeduplicatePayments ─► ComputeCustomerFeatures ─► ScoreFraud ─► fraud-decisions
 *                                              │                  └──► PostgreSQL (optional, upsert)
 *                                              └──► Redis feature store (optional, newest wins)
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
    build(pipeline, options);
    pipeline.run();
  }

  /** Adds the fraud detection graph to {@code pipeline}. */
  public static void build(Pipeline pipeline, FraudDetectionOptions options) {
    options.setStreaming(true);
    KafkaConnection kafka = KafkaConnections.from(options);
    String sinkGroup = sinkGroupId(options);
    LOG.info("Fraud detection on {}: {} -> {} (dead letters: {}), sink group {}",
        kafka, options.getPaymentsTopic(), options.getDecisionsTopic(), options.getDeadLetterTopic(), sinkGroup);

    PCollection<SourceRecord> read =
        pipeline.apply(
            "ReadPayments",
            ReadPaymentRecords.from(kafka, options.getPaymentsTopic(), options.getConsumerGroup())
                .withMaxOutOfOrderness(Duration.standardSeconds(options.getMaxOutOfOrdernessSeconds())));
    if (dropReplayedOffsets(options)) {
      // Beam's Flink runner reads partitions twice after a restore (Beam #34890)
      read = read.apply("DropReplayedOffsets", DropReplayedOffsets.create());
    }
    PCollectionTuple validated =
        read.apply(
            "ValidatePayments",
            ValidatePayments.of(options.getPaymentFormat())
                .withMaxFutureSkew(Duration.standardMinutes(options.getMaxFutureSkewMinutes())));

    validated
        .get(ValidatePayments.DEAD_LETTERS)
        .apply(
            "WriteDeadLetters",
            WriteExactlyOnce.<DeadLetter>to(
                    kafka, options.getDeadLetterTopic(), FraudDetectionPipeline::sourceCoordinates, sinkGroup + "-dlq")
                // Dead letters are few, and a shard needs a partition of its own on the topic (the
                // sink keeps its progress there): one shard fits any dead-letter topic.
                .withShards(1)
                .withBatching(options.getSinkBatchSize(), Duration.millis(options.getSinkBatchDelayMillis())));

    PCollection<CustomerFeatures> features =
        validated
            .get(ValidatePayments.VALID)
            .apply(
                "DeduplicatePayments",
                DeduplicatePayments.within(Duration.standardMinutes(options.getDedupHorizonMinutes())))
            .apply(
                "ComputeCustomerFeatures",
                ComputeCustomerFeatures.create()
                    .withMinHistory(options.getMinHistory())
                    .withInactivityTtl(Duration.standardDays(options.getCustomerTtlDays())));
    PCollection<FraudDecision> decisions = features.apply("ScoreFraud", ScoreFraud.with(model(options)));
    decisions.apply(
        "WriteDecisions",
        WriteExactlyOnce.<FraudDecision>to(
                kafka, options.getDecisionsTopic(), FraudDecision::getTransactionId, sinkGroup + "-decisions")
            .withShards(options.getSinkShards())
            .withBatching(options.getSinkBatchSize(), Duration.millis(options.getSinkBatchDelayMillis())));
    if (options.getWriteToPostgres()) {
      decisions.apply("WriteDecisionsToPostgres", UpsertToPostgres.decisions(options));
    }
    if (options.getWriteToRedis()) {
      features.apply("WriteFeaturesToRedis", WriteFeaturesToRedis.from(options));
    }
  }

  private static boolean dropReplayedOffsets(FraudDetectionOptions options) {
    Boolean configured = options.getDropReplayedOffsets();
    // by name: the Flink runner is not on the DirectRunner build's classpath
    return configured != null ? configured : options.getRunner().getSimpleName().startsWith("Flink");
  }

  private static FraudModel model(FraudDetectionOptions options) {
    String file = options.getModelFile();
    return file == null || file.isBlank() ? FraudModel.loadDefault() : FraudModel.load(Path.of(file));
  }

  private static String sinkGroupId(FraudDetectionOptions options) {
    String configured = options.getSinkGroupId();
    return configured == null || configured.isBlank()
        ? options.getConsumerGroup() + "-sink-" + System.currentTimeMillis()
        : configured;
  }

  private static String sourceCoordinates(DeadLetter letter) {
    return letter.getSourceTopic() + "/" + letter.getSourcePartition() + "@" + letter.getSourceOffset();
  }
}
