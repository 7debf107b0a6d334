package dev.paystream.transforms.scoring;

import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.Decision;
import dev.paystream.schemas.FraudDecision;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;

public class ScoreFraudTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  @Test
  public void everyFeatureRowGetsOneDecision() {
    CustomerFeatures quiet = FraudModelTest.quiet().setTransactionId("quiet").build();
    CustomerFeatures burst = FraudModelTest.quiet().setTransactionId("burst").setPaymentsLast2mExcess(6.0).build();
    CustomerFeatures theft =
        FraudModelTest.quiet().setTransactionId("theft").setAmountZscore(9.0).setHoursFromUsual(4).build();

    var decisions =
        pipeline
            .apply(Create.of(quiet, burst, theft).withCoder(AvroCoder.of(CustomerFeatures.class)))
            .apply(ScoreFraud.with(FraudModel.loadDefault()))
            .apply(
                MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
                    .via((FraudDecision d) -> KV.of(d.getTransactionId(), d.getDecision().name())));

    PAssert.that(decisions)
        .containsInAnyOrder(
            KV.of("quiet", Decision.APPROVE.name()),
            KV.of("burst", Decision.REVIEW.name()),
            KV.of("theft", Decision.DECLINE.name()));
    pipeline.run().waitUntilFinish();
  }
}
