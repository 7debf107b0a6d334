package dev.paystream.pipelines;

import dev.paystream.io.postgres.PostgresSinkOptions;
import dev.paystream.io.redis.RedisSinkOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of {@link FraudDetectionPipeline}. Every address, topic, horizon and threshold is here. */
public interface FraudDetectionOptions extends PaymentIngestOptions, PostgresSinkOptions, RedisSinkOptions {
  @Description("Also upsert every decision into PostgreSQL (--postgresJdbcUrl), idempotently")
  @Default.Boolean(false)
  boolean getWriteToPostgres();

  void setWriteToPostgres(boolean value);

  @Description("Also keep each customer's newest features in the Redis feature store (--redisUrl)")
  @Default.Boolean(false)
  boolean getWriteToRedis();

  void setWriteToRedis(boolean value);

  @Description("Topic the fraud decisions are written to, exactly once")
  @Default.String("fraud-decisions")
  String getDecisionsTopic();

  void setDecisionsTopic(String value);

  @Description("Topic rejected records are written to, exactly once, with their reason")
  @Default.String("payments.dlq")
  String getDeadLetterTopic();

  void setDeadLetterTopic(String value);

  @Description("Consumer group whose offsets are committed when a checkpoint is finalized")
  @Default.String("paystream-fraud-detection")
  String getConsumerGroup();

  void setConsumerGroup(String value);

  @Description("Prototype (issue 16), not for a job restored from a savepoint of the default graph: de-duplication "
      + "and the customer features in one customer-keyed step (one shuffle less per payment). Its state lives under a "
      + "step of its own, so the two steps' state in a savepoint is not carried over")
  @Default.Boolean(false)
  boolean getFuseCustomerSteps();

  void setFuseCustomerSteps(boolean value);

  @Description("Earlier payments a customer needs before z-score and unusual-hour features apply")
  @Default.Integer(10)
  int getMinHistory();

  void setMinHistory(int value);

  @Description("Event-time days without payments after which a customer's feature state is dropped")
  @Default.Long(30)
  long getCustomerTtlDays();

  void setCustomerTtlDays(long value);

  @Description("Merchant features (merchant risk, amount against the merchant's usual, new merchant) and the model that"
      + " uses them, rules-v3 (README, Merchant features). No added latency on a stream (features in arrival order)")
  @Default.Boolean(false)
  boolean getMerchantFeatures();

  void setMerchantFeatures(boolean value);

  @Description("With --merchantFeatures on a stream: hold each payment until the watermark passes it and add the merchant"
      + " features in event-time order, as a batch backfill does. A backlog replayed in big batches then keeps a merchant's"
      + " payments in order, but each decision waits for the watermark (--maxOutOfOrdernessSeconds behind the newest"
      + " payment). Default false: at once, in arrival order")
  @Default.Boolean(false)
  boolean getMerchantFeaturesInEventTimeOrder();

  void setMerchantFeaturesInEventTimeOrder(boolean value);

  @Description("Event-time days without payments after which a merchant's feature state (its typical amount, recent payments) is dropped")
  @Default.Long(30)
  long getMerchantTtlDays();

  void setMerchantTtlDays(long value);

  @Description("Fraud model JSON file (rules, weights, thresholds, version); empty: the bundled rules-v2, or rules-v3 with --merchantFeatures (rules-v1, the first release's, is fraud-model-v1.json in the transforms jar)")
  @Default.String("")
  String getModelFile();

  void setModelFile(String value);
}
