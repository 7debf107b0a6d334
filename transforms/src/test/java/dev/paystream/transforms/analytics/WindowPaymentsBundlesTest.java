package dev.paystream.transforms.analytics;

import static dev.paystream.transforms.analytics.AnalyticsTesting.payment;
import static org.junit.Assert.assertEquals;

import dev.paystream.schemas.PaymentEvent;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/**
 * {@link WindowPayments} keeps a bundle of one customer's payments in one bundle on the
 * DirectRunner. Its watermark-stamping step is keyed, and the DirectRunner hands a keyed step's
 * output on in one bundle per key and input bundle: keyed by transaction id, one customer's bundle
 * (what deduplication, keyed by customer, outputs) came out in up to 16 bundles, and the
 * GroupByKey after it copied a key's window state once per bundle. That made a backfill's time grow
 * with the square of its size (README, "Backfill and reprocessing").
 */
public class WindowPaymentsBundlesTest {
  private static final int PAYMENTS = 200;

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  @Test
  public void oneCustomersBundleOfPaymentsStaysOneBundle() {
    PCollection<PaymentEvent> payments =
        pipeline
            .apply(Create.of("c1"))
            .apply("OneBundleOfOneCustomer", ParDo.of(new PaymentsOfFn()))
            .setCoder(AvroCoder.of(PaymentEvent.class));

    payments
        .apply(
            new WindowPayments(
                "test", PaymentWindowing.tumbling(Duration.standardMinutes(10)), PaymentEvent::getMerchantId))
        .get(WindowPayments.WINDOWED)
        .apply("CountBundles", ParDo.of(new CountBundlesFn()));
    PipelineResult result = pipeline.run();

    assertEquals(PAYMENTS, AnalyticsTesting.committedCounter(result, CountBundlesFn.NAMESPACE, CountBundlesFn.ELEMENTS));
    assertEquals(1, AnalyticsTesting.committedCounter(result, CountBundlesFn.NAMESPACE, CountBundlesFn.BUNDLES));
  }

  /** {@value #PAYMENTS} payments of the customer, a minute apart, all output in one bundle. */
  private static class PaymentsOfFn extends DoFn<String, PaymentEvent> {
    @ProcessElement
    public void process(@Element String customer, OutputReceiver<PaymentEvent> out) {
      for (int i = 0; i < PAYMENTS; i++) {
        PaymentEvent payment = payment("p" + i, customer, i, 100 + i).build();
        out.outputWithTimestamp(payment, new Instant(payment.getEventTime()));
      }
    }
  }

  /** Counts the bundles that hold elements, and the elements. */
  private static class CountBundlesFn extends DoFn<KV<String, PaymentEvent>, Void> {
    static final String NAMESPACE = "bundles_test";
    static final String BUNDLES = "bundles";
    static final String ELEMENTS = "elements";
    private final Counter bundles = Metrics.counter(NAMESPACE, BUNDLES);
    private final Counter elements = Metrics.counter(NAMESPACE, ELEMENTS);
    private transient long inBundle;

    @StartBundle
    public void start() {
      inBundle = 0;
    }

    @ProcessElement
    public void process() {
      inBundle++;
      elements.inc();
    }

    @FinishBundle
    public void finish() {
      if (inBundle > 0) {
        bundles.inc();
      }
    }
  }
}
