package dev.paystream.transforms.features;

import static dev.paystream.transforms.TestPayments.T0;
import static dev.paystream.transforms.TestPayments.at;
import static org.junit.Assert.assertEquals;

import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.transforms.dedup.DeduplicatePayments;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/**
 * The fused customer step (issue 16's prototype) decides like the two steps it fuses: over the
 * same stream (re-sends within and past the retention, customers interleaved, one payment at a
 * time), each payment the two steps pass on gets the same features from both, and repeats none.
 */
public class DeduplicateAndComputeFeaturesTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final Duration RETENTION = Duration.standardMinutes(10);
  private static final KvCoder<String, CustomerFeatures> TAGGED = KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(CustomerFeatures.class));

  @Test
  public void theSameFeaturesAsDeduplicationThenFeatures() {
    Random random = new Random(3);
    List<PaymentEvent> sent = new ArrayList<>();
    TestStream.Builder<PaymentEvent> stream = TestStream.create(AvroCoder.of(PaymentEvent.class));
    for (int i = 0; i < 120; i++) {
      PaymentEvent payment = at("tx" + i, "cust_" + (i % 4), T0 + i * 60_000L, 100 + random.nextInt(5_000));
      sent.add(payment);
      stream = stream.addElements(TimestampedValue.of(payment, new Instant(payment.getEventTime())));
      if (i % 7 == 6) { // a re-send of a payment 3 arrivals back: within the retention
        PaymentEvent again = sent.get(i - 3);
        stream = stream.addElements(TimestampedValue.of(again, new Instant(again.getEventTime())));
      }
      stream = stream.advanceWatermarkTo(new Instant(payment.getEventTime())).advanceProcessingTime(Duration.standardMinutes(1));
    }
    PCollection<PaymentEvent> payments = pipeline.apply(stream.advanceWatermarkToInfinity());

    DeduplicatePayments dedup = DeduplicatePayments.within(RETENTION);
    ComputeCustomerFeatures features = ComputeCustomerFeatures.create().withMinHistory(3);
    PCollection<CustomerFeatures> twoSteps = payments.apply("Dedup", dedup).apply("Features", features);
    PCollection<CustomerFeatures> fused = payments.apply("Fused", DeduplicateAndComputeFeatures.of(dedup, features));

    PCollection<KV<String, CustomerFeatures>> both =
        PCollectionList.of(twoSteps.apply("TagTwoSteps", tagged("two-steps")).setCoder(TAGGED))
            .and(fused.apply("TagFused", tagged("fused")).setCoder(TAGGED))
            .apply(Flatten.pCollections());
    PAssert.that(both).satisfies(results -> {
      Map<String, Map<String, CustomerFeatures>> byPath = new HashMap<>();
      for (KV<String, CustomerFeatures> result : results) {
        CustomerFeatures previous =
            byPath.computeIfAbsent(result.getKey(), k -> new HashMap<>()).put(result.getValue().getTransactionId(), result.getValue());
        assertEquals("one decision per payment on " + result.getKey(), null, previous);
      }
      Set<String> ids = new HashSet<>();
      sent.forEach(p -> ids.add(p.getTransactionId()));
      assertEquals(ids, byPath.get("two-steps").keySet());
      assertEquals(byPath.get("two-steps"), byPath.get("fused"));
      return null;
    });
    pipeline.run().waitUntilFinish();
  }

  private static MapElements<CustomerFeatures, KV<String, CustomerFeatures>> tagged(String path) {
    return MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(CustomerFeatures.class)))
        .via(features -> KV.of(path, features));
  }
}
