package dev.paystream.transforms.analytics;

import static dev.paystream.transforms.analytics.AnalyticsTesting.arrival;
import static dev.paystream.transforms.analytics.AnalyticsTesting.droppedByRunner;
import static dev.paystream.transforms.analytics.AnalyticsTesting.minute;
import static dev.paystream.transforms.analytics.AnalyticsTesting.payment;
import static dev.paystream.transforms.analytics.AnalyticsTesting.window;
import static org.junit.Assert.assertEquals;

import dev.paystream.schemas.PaymentEvent;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;

/**
 * The control experiment for the other analytics tests: without {@link WindowPayments}, Beam drops
 * a too-late payment without a trace but for a runner counter, and {@link
 * AnalyticsTesting#droppedByRunner} sees that counter. So its staying at zero elsewhere means
 * something.
 */
public class RunnerLateDropTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  @Test
  public void aPlainWindowedCombineDropsTooLateDataSilently() {
    TestStream<PaymentEvent> payments =
        TestStream.create(AvroCoder.of(PaymentEvent.class))
            .advanceWatermarkTo(minute(0))
            .addElements(arrival(payment("p1", "c1", 1, 100)))
            .advanceWatermarkTo(minute(20))
            .addElements(arrival(payment("p2", "c1", 2, 100)))
            .advanceWatermarkToInfinity();
    PaymentWindowing windowing =
        PaymentWindowing.tumbling(Duration.standardMinutes(10)).withAllowedLateness(Duration.standardMinutes(5));

    PCollection<Long> counts =
        pipeline
            .apply(payments)
            .apply(windowing.<PaymentEvent>window())
            .apply(Combine.globally(Count.<PaymentEvent>combineFn()).withoutDefaults());

    PAssert.that(counts).inWindow(window(0, 10)).containsInAnyOrder(1L);
    assertEquals(1, droppedByRunner(pipeline.run()));
  }
}
