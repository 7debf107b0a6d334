package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.paystream.io.kafka.CommittedTopicReader;
import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.postgres.StoredPaymentStats;
import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.schemas.CustomerSession;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.PaneTiming;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentStats;
import dev.paystream.schemas.StatsDimension;
import dev.paystream.transforms.analytics.PaymentWindowing;
import dev.paystream.transforms.analytics.reference.ExpectedSession;
import dev.paystream.transforms.analytics.reference.ExpectedStats;
import dev.paystream.transforms.analytics.reference.FinalPanes;
import dev.paystream.transforms.analytics.reference.KeyedWindow;
import dev.paystream.transforms.analytics.reference.SessionModel;
import dev.paystream.transforms.analytics.reference.StatsModel;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analytics pipeline on the real broker and PostgreSQL, against the reference models: the same
 * generated payments (duplicates and malformed records included) are computed plainly by {@link
 * StatsModel} and {@link SessionModel}, and every window's final pane, read back with a
 * read_committed consumer and from the {@code payment_stats} table, must equal the model's. Shared
 * by the runners' integration tests.
 */
public final class AnalyticsCheck {
  private static final Logger LOG = LoggerFactory.getLogger(AnalyticsCheck.class);

  private AnalyticsCheck() {}

  /**
   * Runs the pipeline under {@code options} (see {@link #withTestTopics}) over {@code count}
   * generated records until every window's final pane is committed, cancels it, and asserts.
   */
  public static void finalPanesEqualTheReferenceModels(LocalStack stack, AnalyticsOptions options, int count)
      throws Exception {
    createTopics(stack, options);
    // History that ended 3 hours ago: once the source has caught up, its watermark (the clock less
    // the allowed out-of-orderness) passes the end of every window, so every window closes.
    KnownInput input = KnownInput.generate(count, System.currentTimeMillis() - Duration.ofHours(3).toMillis());
    input.produce(KafkaConnections.from(options), options.getPaymentsTopic(), 0, count);
    Committed committed = runUntilEveryWindowCloses(options, input);
    assertEqualsModels(stack, options, input, committed);
  }

  /**
   * Runs the pipeline in batch mode ({@code --backfill}) over what {@code input} put on the payments
   * topic, to its end, and asserts its committed output equals the models over the payments' own
   * times; returns what it committed.
   */
  public static Committed backfillEqualsTheReferenceModels(LocalStack stack, AnalyticsOptions options, KnownInput input)
      throws Exception {
    runBackfill(options);
    return committedEqualsTheReferenceModels(stack, options, input);
  }

  /**
   * After a backfill has ended: its committed output, read to the end offsets, equals the models
   * over {@code input}'s payments at their own times; returns what it committed.
   */
  public static Committed committedEqualsTheReferenceModels(LocalStack stack, AnalyticsOptions options, KnownInput input)
      throws Exception {
    long start = System.nanoTime();
    Committed committed = Committed.read(KafkaConnections.from(options), options, Duration.ofMinutes(5));
    LOG.info("Committed output read in {} ms", (System.nanoTime() - start) / 1_000_000);
    start = System.nanoTime();
    assertEqualsModels(stack, options, input, committed);
    LOG.info("Compared with the models in {} ms", (System.nanoTime() - start) / 1_000_000);
    return committed;
  }

  /** Runs the pipeline in batch mode ({@code --backfill}) to its end; returns how long it took. */
  public static Duration runBackfill(AnalyticsOptions options) {
    options.setBackfill(true);
    Pipeline pipeline = Pipeline.create(options);
    long start = System.nanoTime();
    AnalyticsPipeline.build(pipeline, options).run(pipeline);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    LOG.info("Backfill done in {} ms", took.toMillis());
    return took;
  }

  /** What the analytics pipeline committed to its three topics. */
  public record Committed(List<PaymentStats> stats, List<CustomerSession> sessions, List<DeadLetter> deadLetters) {
    /** Everything committed by now, read to the end offsets (the writer has finished), within {@code timeout} each. */
    static Committed read(KafkaConnection kafka, AnalyticsOptions options, Duration timeout) {
      try (CommittedTopicReader statsTopic = new CommittedTopicReader(kafka, options.getStatsTopic());
          CommittedTopicReader sessionsTopic = new CommittedTopicReader(kafka, options.getSessionsTopic());
          CommittedTopicReader deadLetterTopic = new CommittedTopicReader(kafka, options.getAnalyticsDeadLetterTopic())) {
        return new Committed(
            CommittedTopicReader.values(statsTopic.readToEnd(timeout), PaymentStats.getDecoder()),
            CommittedTopicReader.values(sessionsTopic.readToEnd(timeout), CustomerSession.getDecoder()),
            CommittedTopicReader.values(deadLetterTopic.readToEnd(timeout), DeadLetter.getDecoder()));
      }
    }
  }

  public static void createTopics(LocalStack stack, AnalyticsOptions options) throws Exception {
    stack.createTopics(
        Map.of(
            options.getPaymentsTopic(), 4,
            options.getStatsTopic(), 4,
            options.getSessionsTopic(), 4,
            options.getAnalyticsDeadLetterTopic(), 1));
  }

  /** Runs the streaming pipeline until every window of the models has a final pane, then cancels it. */
  private static Committed runUntilEveryWindowCloses(AnalyticsOptions options, KnownInput input) throws Exception {
    return runUntilEveryWindowCloses(options, input, (int) input.expected.count(GeneratedRecord.Kind.MALFORMED));
  }

  /**
   * Runs the streaming pipeline until every window of the models has a final pane and {@code
   * deadLetters} dead letters are committed (other input than {@code input}'s may add some), then
   * cancels it.
   */
  static Committed runUntilEveryWindowCloses(AnalyticsOptions options, KnownInput input, int deadLetters) throws Exception {
    KafkaConnection kafka = KafkaConnections.from(options);
    List<PaymentEvent> payments = input.validPayments();
    Map<StatsDimension, Map<KeyedWindow, ExpectedStats>> statsModel = statsModel(payments, options);
    Map<KeyedWindow, ExpectedSession> sessionModel =
        SessionModel.sessions(payments, AnalyticsPipeline.sessionWindows(options).gap());
    Pipeline pipeline = Pipeline.create(options);
    AnalyticsPipeline.build(pipeline, options);
    try (CommittedTopicReader statsTopic = new CommittedTopicReader(kafka, options.getStatsTopic());
        CommittedTopicReader sessionsTopic = new CommittedTopicReader(kafka, options.getSessionsTopic());
        CommittedTopicReader deadLetterTopic = new CommittedTopicReader(kafka, options.getAnalyticsDeadLetterTopic())) {
      long start = System.nanoTime();
      PipelineResult result = pipeline.run();
      try {
        Duration timeout = Duration.ofMinutes(5);
        statsTopic.readUntil(records -> coversModel(finalStats(CommittedTopicReader.values(records, PaymentStats.getDecoder())), statsModel), timeout);
        sessionsTopic.readUntil(
            records -> finalSessions(CommittedTopicReader.values(records, CustomerSession.getDecoder())).keySet().containsAll(sessionModel.keySet()),
            timeout);
        deadLetterTopic.readUntil(records -> records.size() >= deadLetters, timeout);
        LOG.info("Every window's final pane committed after {} s", (System.nanoTime() - start) / 1_000_000_000);
        // Anything extra (a duplicate pane, a pane after the final one) would show up by now.
        return new Committed(
            CommittedTopicReader.values(statsTopic.drain(Duration.ofSeconds(5)), PaymentStats.getDecoder()),
            CommittedTopicReader.values(sessionsTopic.drain(Duration.ofMillis(1)), CustomerSession.getDecoder()),
            CommittedTopicReader.values(deadLetterTopic.drain(Duration.ofMillis(1)), DeadLetter.getDecoder()));
      } finally {
        PipelineMain.cancel(result);
      }
    }
  }

  /**
   * Every window's final pane, in Kafka and in PostgreSQL, equals the models over {@code input}'s
   * valid payments at their own event times; every pane committed once; nothing too late; every
   * malformed record dead-lettered with its reason; records in = payments + dead letters + duplicates.
   */
  static void assertEqualsModels(LocalStack stack, AnalyticsOptions options, KnownInput input, Committed committed)
      throws Exception {
    List<PaymentEvent> payments = input.validPayments();
    Map<StatsDimension, Map<KeyedWindow, ExpectedStats>> statsModel = statsModel(payments, options);
    Map<KeyedWindow, ExpectedSession> sessionModel =
        SessionModel.sessions(payments, AnalyticsPipeline.sessionWindows(options).gap());
    List<PaymentStats> stats = committed.stats();
    List<CustomerSession> sessions = committed.sessions();
    List<DeadLetter> deadLetters = committed.deadLetters();

    // Every pane committed once: per window, pane indices 0, 1, 2, ... each exactly once.
    Map<String, List<Long>> paneIndices =
        stats.stream()
            .collect(
                Collectors.groupingBy(
                    s -> s.getDimension() + "/" + s.getKey() + "/" + s.getWindow().getStart() + "-" + s.getWindow().getEnd(),
                    Collectors.mapping(s -> s.getWindow().getIndex(), Collectors.toList())));
    paneIndices.forEach(
        (window, indices) ->
            assertEquals(
                java.util.stream.LongStream.range(0, indices.size()).boxed().toList(),
                indices.stream().sorted().toList(),
                window));

    // The final pane of every window equals the model's exact statistics.
    Map<StatsDimension, Map<KeyedWindow, PaymentStats>> finals = finalStats(stats);
    assertEquals(statsModel.keySet(), finals.keySet());
    statsModel.forEach(
        (dimension, windows) -> {
          assertEquals(windows.keySet(), finals.get(dimension).keySet(), dimension + " windows");
          windows.forEach(
              (window, expected) -> {
                PaymentStats actual = finals.get(dimension).get(window);
                assertEquals(List.of(), expected.differences(actual), dimension + " " + window);
                assertNotEquals(PaneTiming.EARLY, actual.getWindow().getTiming(), dimension + " " + window);
              });
        });
    Map<KeyedWindow, CustomerSession> finalSessions = finalSessions(sessions);
    assertEquals(sessionModel.keySet(), finalSessions.keySet());
    sessionModel.forEach((window, expected) -> assertEquals(expected, ExpectedSession.of(finalSessions.get(window)), window.toString()));

    // PostgreSQL holds exactly each window's final pane.
    List<PaymentStats> finalPanes = finals.values().stream().flatMap(m -> m.values().stream()).toList();
    assertEquals(new HashSet<>(finalPanes), new HashSet<>(storedStats(stack)));

    // Nothing was too late, every malformed record was dead-lettered with its reason, and the
    // accounting holds: records in = payments windowed + dead letters + duplicates dropped.
    Map<ByteBuffer, String> deadLettered = new HashMap<>();
    deadLetters.forEach(letter -> deadLettered.merge(letter.getPayload(), letter.getErrorCode(), (a, b) -> a + "," + b));
    assertEquals(input.malformedReasons, deadLettered);
    assertEquals(input.total(), payments.size() + deadLetters.size() + input.duplicates());
    LOG.info(
        "{} records: {} payments in {} stats panes ({} early, {} final), {} session panes, {} dead letters, {} duplicates",
        input.total(), payments.size(), stats.size(),
        stats.stream().filter(s -> s.getWindow().getTiming() == PaneTiming.EARLY).count(),
        finalPanes.size(), sessions.size(), deadLetters.size(), input.duplicates());
  }

  /** Every row of {@code payment_stats}. */
  static List<PaymentStats> storedStats(LocalStack stack) throws Exception {
    try (Connection connection = DriverManager.getConnection(stack.jdbcUrl(), stack.postgresUser(), stack.postgresPassword())) {
      return StoredPaymentStats.read(connection, "");
    }
  }

  /**
   * {@code options} with topics and a consumer group of their own under {@code run}, statistics
   * upserted into the stack's PostgreSQL, and EARLY panes every 5 s, short enough that the long
   * windows fire some while the backlog is read.
   */
  public static AnalyticsOptions withTestTopics(AnalyticsOptions options, LocalStack stack, String run) {
    options.setBootstrapServers(stack.kafkaBootstrapServers());
    options.setPaymentsTopic("payments-" + run);
    options.setStatsTopic("merchant-stats-" + run);
    options.setSessionsTopic("customer-sessions-" + run);
    options.setAnalyticsDeadLetterTopic("payments.analytics.dlq-" + run);
    options.setAnalyticsConsumerGroup("analytics-" + run);
    options.setEarlyFiringSeconds(5);
    options.setWriteStatsToPostgres(true);
    options.setPostgresJdbcUrl(stack.jdbcUrl());
    options.setPostgresUser(stack.postgresUser());
    return options;
  }

  static Map<StatsDimension, Map<KeyedWindow, ExpectedStats>> statsModel(
      List<PaymentEvent> payments, AnalyticsOptions options) {
    Map<StatsDimension, Map<KeyedWindow, ExpectedStats>> model = new EnumMap<>(StatsDimension.class);
    model.put(StatsDimension.MERCHANT, StatsModel.finalStats(payments, StatsDimension.MERCHANT, AnalyticsPipeline.merchantWindows(options), 0));
    model.put(
        StatsDimension.MERCHANT_CATEGORY,
        StatsModel.finalStats(
            payments, StatsDimension.MERCHANT_CATEGORY, AnalyticsPipeline.categoryWindows(options), options.getTopMerchants()));
    PaymentWindowing byMethod = AnalyticsPipeline.paymentMethodWindows(options);
    model.put(StatsDimension.PAYMENT_METHOD, StatsModel.finalStats(payments, StatsDimension.PAYMENT_METHOD, byMethod, 0));
    return model;
  }

  /** The final pane of each window, per dimension. */
  public static Map<StatsDimension, Map<KeyedWindow, PaymentStats>> finalStats(List<PaymentStats> stats) {
    Map<StatsDimension, Map<KeyedWindow, PaymentStats>> finals = new EnumMap<>(StatsDimension.class);
    stats.stream()
        .collect(Collectors.groupingBy(PaymentStats::getDimension))
        .forEach((dimension, panes) -> finals.put(dimension, FinalPanes.of(panes, PaymentStats::getKey, PaymentStats::getWindow)));
    return finals;
  }

  private static Map<KeyedWindow, CustomerSession> finalSessions(List<CustomerSession> sessions) {
    return FinalPanes.of(sessions, CustomerSession::getCustomerId, CustomerSession::getWindow);
  }

  /** Whether every window of the model has a final (not EARLY) pane. */
  private static boolean coversModel(
      Map<StatsDimension, Map<KeyedWindow, PaymentStats>> finals, Map<StatsDimension, Map<KeyedWindow, ExpectedStats>> model) {
    return model.entrySet().stream()
        .allMatch(
            dimension ->
                dimension.getValue().keySet().stream()
                    .allMatch(
                        window -> {
                          PaymentStats pane = finals.getOrDefault(dimension.getKey(), Map.of()).get(window);
                          return pane != null && pane.getWindow().getTiming() != PaneTiming.EARLY;
                        }));
  }
}
