package dev.paystream.transforms.analytics;

import static dev.paystream.transforms.analytics.AnalyticsTesting.droppedByRunner;
import static dev.paystream.transforms.analytics.AnalyticsTesting.lateDeadLetters;
import static org.junit.Assert.assertEquals;

import dev.paystream.schemas.CustomerSession;
import dev.paystream.schemas.PaneTiming;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentStats;
import dev.paystream.schemas.StatsDimension;
import dev.paystream.schemas.WindowPane;
import dev.paystream.transforms.analytics.reference.ExpectedSession;
import dev.paystream.transforms.analytics.reference.ExpectedStats;
import dev.paystream.transforms.analytics.reference.FinalPanes;
import dev.paystream.transforms.analytics.reference.KeyedWindow;
import dev.paystream.transforms.analytics.reference.SessionModel;
import dev.paystream.transforms.analytics.reference.StatsModel;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;

/**
 * The transforms' final panes against the plain-Java reference models, on a few hundred generated
 * payments delivered out of order (early and late panes happen along the way). Exact for count,
 * sum, mean, distinct counts, decline rate and top merchants; percentiles within the rank error of
 * {@link PaymentStatistic#PERCENTILE_RANK_ERROR}.
 */
public class ReferenceModelTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final int PAYMENTS = 300;
  private static final long SEED = 5;

  private final List<PaymentEvent> payments = GeneratedArrivals.payments(PAYMENTS, SEED);

  /** The premise of the comparison: results were refined on the way, early and late. */
  private static <T> void assertEarlyAndLatePanes(Iterable<T> panes, Function<T, WindowPane> pane) {
    Set<PaneTiming> timings = EnumSet.noneOf(PaneTiming.class);
    panes.forEach(p -> timings.add(pane.apply(p).getTiming()));
    assertEquals(EnumSet.allOf(PaneTiming.class), timings);
  }

  private void assertStatsMatchModel(StatsDimension dimension, PaymentWindowing windowing, int topMerchants) {
    List<PaymentEvent> payments = this.payments;
    PCollectionTuple result =
        pipeline
            .apply(GeneratedArrivals.outOfOrder(payments, SEED))
            .apply(WindowedPaymentStats.of(dimension, windowing).withTopMerchants(topMerchants));
    PAssert.that(result.get(WindowedPaymentStats.STATS))
        .satisfies(
            panes -> {
              Map<KeyedWindow, ExpectedStats> model =
                  StatsModel.finalStats(payments, dimension, windowing, topMerchants);
              assertEarlyAndLatePanes(panes, PaymentStats::getWindow);
              Map<KeyedWindow, PaymentStats> actual =
                  FinalPanes.of(panes, PaymentStats::getKey, PaymentStats::getWindow);
              assertEquals(model.keySet(), actual.keySet());
              model.forEach(
                  (window, expected) ->
                      assertEquals(window.toString(), List.of(), expected.differences(actual.get(window))));
              return null;
            });
    assertNothingWasTooLate(pipeline.run());
  }

  private static void assertNothingWasTooLate(PipelineResult result) {
    assertEquals(0, lateDeadLetters(result));
    assertEquals(0, droppedByRunner(result));
  }

  @Test
  public void tumblingStatsPerCategoryWithTopMerchants() {
    assertStatsMatchModel(
        StatsDimension.MERCHANT_CATEGORY,
        PaymentWindowing.tumbling(Duration.standardMinutes(15))
            .withEarlyFirings(Duration.standardSeconds(30))
            .withAllowedLateness(GeneratedArrivals.LATENESS_THAT_ACCEPTS_ALL),
        3);
  }

  @Test
  public void slidingStatsPerPaymentMethod() {
    assertStatsMatchModel(
        StatsDimension.PAYMENT_METHOD,
        PaymentWindowing.sliding(Duration.standardMinutes(30), Duration.standardMinutes(10))
            .withEarlyFirings(Duration.standardSeconds(30))
            .withAllowedLateness(GeneratedArrivals.LATENESS_THAT_ACCEPTS_ALL),
        2);
  }

  @Test
  public void sessionStatsPerMerchant() {
    assertStatsMatchModel(
        StatsDimension.MERCHANT,
        PaymentWindowing.sessions(Duration.standardMinutes(5))
            .withEarlyFirings(Duration.standardSeconds(30))
            .withAllowedLateness(GeneratedArrivals.LATENESS_THAT_ACCEPTS_ALL),
        1);
  }

  @Test
  public void customerSessions() {
    List<PaymentEvent> payments = this.payments;
    // Shorter than the watermark lag, so that a delayed payment can land behind its session's end.
    Duration gap = Duration.standardMinutes(5);
    PCollectionTuple result =
        pipeline
            .apply(GeneratedArrivals.outOfOrder(payments, SEED))
            .apply(
                CustomerSessions.of(
                    PaymentWindowing.sessions(gap)
                        .withEarlyFirings(Duration.standardSeconds(30))
                        .withAllowedLateness(GeneratedArrivals.LATENESS_THAT_ACCEPTS_ALL)));
    PAssert.that(result.get(CustomerSessions.SESSIONS))
        .satisfies(
            panes -> {
              Map<KeyedWindow, ExpectedSession> model = SessionModel.sessions(payments, gap);
              assertEarlyAndLatePanes(panes, CustomerSession::getWindow);
              Map<KeyedWindow, CustomerSession> actual =
                  FinalPanes.of(panes, CustomerSession::getCustomerId, CustomerSession::getWindow);
              assertEquals(model.keySet(), actual.keySet());
              model.forEach(
                  (window, expected) -> {
                    CustomerSession session = actual.get(window);
                    assertEquals(expected, ExpectedSession.of(session));
                    assertEquals(expected.lengthMillis(), session.getLengthMillis());
                  });
              return null;
            });
    assertNothingWasTooLate(pipeline.run());
  }
}
