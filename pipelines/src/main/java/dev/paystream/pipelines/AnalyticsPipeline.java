package dev.paystream.pipelines;

import dev.paystream.io.postgres.UpsertToPostgres;
import dev.paystream.schemas.CustomerSession;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentStats;
import dev.paystream.schemas.StatsDimension;
import dev.paystream.transforms.analytics.CustomerSessions;
import dev.paystream.transforms.analytics.PaymentWindowing;
import dev.paystream.transforms.analytics.WindowedPaymentStats;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Windowed statistics of the payment stream, exactly once to Kafka and upserted into PostgreSQL:
 *
 * <pre>
 *   payments ─► ReadDistinctPayments ─invalid─────────────────────────────► payments.analytics.dlq
 *                   │ valid, distinct                                        ▲ too late for a window
 *                   ├─► per merchant, tumbling 1 min ───────────────────┐    │
 *                   ├─► per category, sliding 1 h every 5 min, top 5 ───┼─► merchant-stats
 *                   ├─► per payment method, tumbling 1 h ───────────────┘    └─► PostgreSQL payment_stats
 *                   └─► customer sessions, 30 min gap ─► customer-sessions        (optional, upsert)
 * </pre>
 *
 * Windows fire ON_TIME at the watermark, the long ones also EARLY after a processing-time delay,
 * and LATE for each payment within the allowed lateness; panes accumulate, so a window's latest
 * pane is its result and replaces the earlier one in PostgreSQL.
 *
 * <p>A pipeline of its own rather than a branch of the fraud pipeline: it has its own consumer group
 * and offsets, so it can be deployed, scaled, replayed from an earlier offset or stopped without
 * touching fraud decisions, and its window state (hours of payments for sliding windows) does not
 * weigh on the fraud job's checkpoints. The price is reading and validating the payments twice;
 * both pipelines do it with the same {@link ReadDistinctPayments}, so they agree on what is valid.
 */
public final class AnalyticsPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(AnalyticsPipeline.class);

  private AnalyticsPipeline() {}

  /** Runs until cancelled (SIGTERM, Ctrl-C) or failed; see {@link PipelineMain} for the exit codes. */
  public static void main(String[] args) {
    PipelineMain.exit(AnalyticsPipeline.class, () -> {
      PipelineOptionsFactory.register(AnalyticsOptions.class);
      AnalyticsOptions options = PipelineOptionsFactory.fromArgs(args).withValidation().as(AnalyticsOptions.class);
      Pipeline pipeline = Pipeline.create(options);
      return build(pipeline, options).runToEnd(pipeline);
    });
  }

  /**
   * Adds the analytics graph to {@code pipeline}; its source runs it ({@link PaymentSource#run}: a
   * stream is started, a backfill run to its end).
   */
  public static PaymentSource build(Pipeline pipeline, AnalyticsOptions options) {
    // A backfill reads a bounded part of the topic in batch mode; everything else streams.
    options.setStreaming(!options.getBackfill());
    FasterCopy.turnOff(
        options, "Beam's windowing changes accumulators and merging-window sets read from state in place (FasterCopy)");
    PaymentSource source = PaymentSource.of(options, options.getAnalyticsConsumerGroup());
    String sinkGroup = ExactlyOnceOutputs.sinkGroupId(options, options.getAnalyticsConsumerGroup());
    LOG.info("Payment analytics on {}: {} -> {}, {} (dead letters: {}), sink group {}",
        KafkaConnections.from(options), options.getPaymentsTopic(), options.getStatsTopic(),
        options.getSessionsTopic(), options.getAnalyticsDeadLetterTopic(), sinkGroup);

    PCollectionTuple read =
        pipeline.apply("ReadDistinctPayments", ReadDistinctPayments.from(options, source));
    Windowed windowed = windowed(read.get(ReadDistinctPayments.PAYMENTS), options);
    windowed.stats().apply(
        "WriteStats",
        ExactlyOnceOutputs.records(options, options.getStatsTopic(), AnalyticsPipeline::statsKey, sinkGroup + "-stats"));
    if (options.getWriteStatsToPostgres()) {
      windowed.stats().apply("WriteStatsToPostgres", UpsertToPostgres.paymentStats(options));
    }
    windowed.sessions()
        .apply(
            "WriteSessions",
            ExactlyOnceOutputs.records(
                options, options.getSessionsTopic(), CustomerSession::getCustomerId, sinkGroup + "-sessions"));

    PCollectionList.of(read.get(ReadDistinctPayments.DEAD_LETTERS))
        .and(windowed.tooLate().getAll())
        .apply("AllDeadLetters", Flatten.<DeadLetter>pCollections())
        .apply(
            "WriteDeadLetters",
            ExactlyOnceOutputs.deadLetters(options, options.getAnalyticsDeadLetterTopic(), sinkGroup + "-dlq"));
    return source;
  }

  /**
   * What the windowed steps make of the valid, distinct payments: every statistic and session
   * (panes, in the global window), and the payments too late for a window as dead letters.
   */
  record Windowed(PCollection<PaymentStats> stats, PCollection<CustomerSession> sessions, PCollectionList<DeadLetter> tooLate) {}

  /**
   * The job's windowed steps, for the job and for runs over in-memory payments ({@code
   * InPlaceMutationTest}). Applied under the caller's composite: their names are savepoint keys.
   */
  static Windowed windowed(PCollection<PaymentEvent> payments, AnalyticsOptions options) {
    PCollectionTuple byMerchant =
        payments.apply(
            "StatsByMerchant",
            WindowedPaymentStats.of(StatsDimension.MERCHANT, merchantWindows(options)));
    PCollectionTuple byCategory =
        payments.apply(
            "StatsByCategory",
            WindowedPaymentStats.of(StatsDimension.MERCHANT_CATEGORY, categoryWindows(options))
                .withTopMerchants(options.getTopMerchants()));
    PCollectionTuple byPaymentMethod =
        payments.apply(
            "StatsByPaymentMethod",
            WindowedPaymentStats.of(StatsDimension.PAYMENT_METHOD, paymentMethodWindows(options)));
    PCollectionTuple sessions = payments.apply("CustomerSessions", CustomerSessions.of(sessionWindows(options)));

    // Each result carries its window in its WindowPane; the sinks take them from one global window.
    PCollection<PaymentStats> stats =
        PCollectionList.of(globally("Merchant", byMerchant.get(WindowedPaymentStats.STATS)))
            .and(globally("Category", byCategory.get(WindowedPaymentStats.STATS)))
            .and(globally("PaymentMethod", byPaymentMethod.get(WindowedPaymentStats.STATS)))
            .apply("AllStats", Flatten.pCollections());
    PCollectionList<DeadLetter> tooLate =
        PCollectionList.of(byMerchant.get(WindowedPaymentStats.DEAD_LETTERS))
            .and(byCategory.get(WindowedPaymentStats.DEAD_LETTERS))
            .and(byPaymentMethod.get(WindowedPaymentStats.DEAD_LETTERS))
            .and(sessions.get(CustomerSessions.DEAD_LETTERS));
    return new Windowed(stats, globally("Sessions", sessions.get(CustomerSessions.SESSIONS)), tooLate);
  }

  private static <T> PCollection<T> globally(String name, PCollection<T> windowed) {
    return windowed.apply(
        name + "IntoGlobalWindow",
        Window.<T>into(new GlobalWindows())
            .triggering(DefaultTrigger.of())
            .withAllowedLateness(Duration.ZERO)
            .discardingFiredPanes());
  }

  static PaymentWindowing merchantWindows(AnalyticsOptions options) {
    return withLateness(PaymentWindowing.tumbling(Duration.standardMinutes(options.getMerchantWindowMinutes())), options);
  }

  static PaymentWindowing categoryWindows(AnalyticsOptions options) {
    return withEarlyFirings(
        PaymentWindowing.sliding(
            Duration.standardMinutes(options.getCategoryWindowMinutes()),
            Duration.standardMinutes(options.getCategoryWindowPeriodMinutes())),
        options);
  }

  static PaymentWindowing paymentMethodWindows(AnalyticsOptions options) {
    return withEarlyFirings(
        PaymentWindowing.tumbling(Duration.standardMinutes(options.getPaymentMethodWindowMinutes())), options);
  }

  static PaymentWindowing sessionWindows(AnalyticsOptions options) {
    return withLateness(PaymentWindowing.sessions(Duration.standardMinutes(options.getSessionGapMinutes())), options);
  }

  private static PaymentWindowing withEarlyFirings(PaymentWindowing windowing, AnalyticsOptions options) {
    PaymentWindowing late = withLateness(windowing, options);
    // A backfill's windows are complete when they fire: early panes would only add rows, and
    // processing-time firings would make a re-run's pane indices differ from the first run's.
    return options.getEarlyFiringSeconds() > 0 && !options.getBackfill()
        ? late.withEarlyFirings(Duration.standardSeconds(options.getEarlyFiringSeconds()))
        : late;
  }

  private static PaymentWindowing withLateness(PaymentWindowing windowing, AnalyticsOptions options) {
    return windowing.withAllowedLateness(Duration.standardMinutes(options.getAllowedLatenessMinutes()));
  }

  /** One Kafka key per key and window, so a compacted topic keeps each window's latest pane. */
  private static String statsKey(PaymentStats stats) {
    return stats.getDimension() + "/" + stats.getKey() + "/" + stats.getWindow().getStart() + "-"
        + stats.getWindow().getEnd();
  }
}
