package dev.paystream.pipelines.generator;

import dev.paystream.pipelines.KafkaOptions;
import dev.paystream.transforms.validate.PaymentFormat;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of {@link GeneratePayments}: where to write, how much, how fast, and the mix of records.
 * With both {@code --count} and {@code --durationSeconds} it backfills first, then goes live.
 */
public interface GeneratorOptions extends KafkaOptions {
  @Description(
      "Kafka record timestamps: PAYMENT_TIME (each payment's event time) or SEND_TIME (the send "
          + "time, as ordinary producers stamp records)")
  @Default.Enum("PAYMENT_TIME")
  GeneratePayments.RecordTimestamp getRecordTimestamp();

  void setRecordTimestamp(GeneratePayments.RecordTimestamp value);

  @Description("Topic the payment records are written to")
  @Default.String("payments")
  String getTopic();

  void setTopic(String value);

  @Description(
      "Backfill: this many records of history ending shortly before now, sent as fast as Kafka "
          + "takes them; 0 for none")
  @Default.Long(10_000)
  long getCount();

  void setCount(long value);

  @Description(
      "Live mode: seconds to keep sending after the backfill, each record when the wall clock "
          + "reaches its event time; 0 for none")
  @Default.Long(0)
  long getDurationSeconds();

  void setDurationSeconds(long value);

  @Description(
      "Records per second outside 09:00-18:00 UTC, all kinds included: of event time in a backfill,"
          + " of wall-clock time in live mode")
  @Default.Double(10)
  double getRate();

  void setRate(double value);

  @Description(
      "How many times busier 09:00-18:00 UTC is than the rest of the day; 1 for a flat rate")
  @Default.Double(2.5)
  double getPeakMultiplier();

  void setPeakMultiplier(double value);

  @Description("Encoding of valid payments: AVRO (single-object encoding) or JSON")
  @Default.Enum("AVRO")
  PaymentFormat getFormat();

  void setFormat(PaymentFormat value);

  @Description("Seed of everything random; the same seed and start give the same records")
  @Default.Long(42)
  long getSeed();

  void setSeed(long value);

  @Description("Distinct customers")
  @Default.Integer(1_000)
  int getCustomers();

  void setCustomers(int value);

  @Description("Distinct merchants")
  @Default.Integer(50)
  int getMerchants();

  void setMerchants(int value);

  @Description(
      "Share of records that belong to an injected fraud pattern (BURST, LARGE_AFTER_SMALL,"
          + " ODD_HOUR, IMPOSSIBLE_TRAVEL, ACCOUNT_TAKEOVER, COMPROMISED_MERCHANT)")
  @Default.Double(0.02)
  double getFraudFraction();

  void setFraudFraction(double value);

  @Description("Share of records that re-send an earlier valid record")
  @Default.Double(0.01)
  double getDuplicateFraction();

  void setDuplicateFraction(double value);

  @Description("Share of records that are malformed and must be dead-lettered")
  @Default.Double(0.01)
  double getMalformedFraction();

  void setMalformedFraction(double value);

  @Description("Seconds between progress lines")
  @Default.Integer(5)
  int getProgressSeconds();

  void setProgressSeconds(int value);

  // PaymentEvent schema versions (issue 11): v1 and v2 producers on one topic.
  @Description(
      "PaymentEvent schema the producers write: v1, v2 (the current) or mixed (per merchant,"
          + " half on each, as during a rollout)")
  @Default.Enum("V2")
  SchemaVersion getSchemaVersion();

  void setSchemaVersion(SchemaVersion value);
}
