package dev.paystream.pipelines;

import dev.paystream.io.postgres.PostgresSinkOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of {@link AnalyticsPipeline}: its topics, consumer group, windows and lateness. */
public interface AnalyticsOptions extends PaymentIngestOptions, PostgresSinkOptions {
  @Description("Consumer group of the analytics pipeline, whose offsets are committed when a checkpoint is finalized")
  @Default.String("paystream-analytics")
  String getAnalyticsConsumerGroup();

  void setAnalyticsConsumerGroup(String value);

  @Description("Topic invalid records and payments too late for a window are written to, exactly once, with their reason")
  @Default.String("payments.analytics.dlq")
  String getAnalyticsDeadLetterTopic();

  void setAnalyticsDeadLetterTopic(String value);

  @Description("Topic the windowed payment statistics are written to, exactly once, one record per pane")
  @Default.String("merchant-stats")
  String getStatsTopic();

  void setStatsTopic(String value);

  @Description("Topic the customer sessions are written to, exactly once, one record per pane")
  @Default.String("customer-sessions")
  String getSessionsTopic();

  void setSessionsTopic(String value);

  @Description("Also upsert every statistics pane into PostgreSQL (table payment_stats), a later pane replacing the row")
  @Default.Boolean(false)
  boolean getWriteStatsToPostgres();

  void setWriteStatsToPostgres(boolean value);

  @Description("Size of the tumbling windows of the per-merchant statistics, minutes")
  @Default.Long(1)
  long getMerchantWindowMinutes();

  void setMerchantWindowMinutes(long value);

  @Description("Size of the sliding windows of the per-category statistics and top merchants, minutes")
  @Default.Long(60)
  long getCategoryWindowMinutes();

  void setCategoryWindowMinutes(long value);

  @Description("How often a new per-category window starts, minutes (at most the window size)")
  @Default.Long(5)
  long getCategoryWindowPeriodMinutes();

  void setCategoryWindowPeriodMinutes(long value);

  @Description("Merchants ranked per category and window")
  @Default.Integer(5)
  int getTopMerchants();

  void setTopMerchants(int value);

  @Description("Size of the tumbling windows of the per-payment-method statistics, minutes")
  @Default.Long(60)
  long getPaymentMethodWindowMinutes();

  void setPaymentMethodWindowMinutes(long value);

  @Description(
      "Processing-time seconds after a pane's first payment at which the long windows (category and"
          + " payment method) fire an EARLY result; 0 for none")
  @Default.Long(60)
  long getEarlyFiringSeconds();

  void setEarlyFiringSeconds(long value);

  @Description(
      "Minutes after a window's end (by the watermark) within which a payment still refines it (a"
          + " LATE pane); later ones are dead-lettered with reason LATE")
  @Default.Long(10)
  long getAllowedLatenessMinutes();

  void setAllowedLatenessMinutes(long value);

  @Description("Minutes without payments that end a customer's session")
  @Default.Long(30)
  long getSessionGapMinutes();

  void setSessionGapMinutes(long value);
}
