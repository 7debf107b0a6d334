package dev.paystream.transforms.scoring;

import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.metrics.PaystreamMetrics;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Instant;

/**
 * Scores each payment's features with a {@link FraudModel} into a {@link FraudDecision} that
 * names the rules that fired. Counters (namespace {@value #METRICS_NAMESPACE}): one per decision.
 */
public class ScoreFraud extends PTransform<PCollection<CustomerFeatures>, PCollection<FraudDecision>> {
  public static final String METRICS_NAMESPACE = "decisions";

  private final FraudModel model;

  private ScoreFraud(FraudModel model) {
    this.model = model;
  }

  public static ScoreFraud with(FraudModel model) {
    return new ScoreFraud(model);
  }

  @Override
  public PCollection<FraudDecision> expand(PCollection<CustomerFeatures> features) {
    return features
        .apply("Score", ParDo.of(new ScoreFn(model)))
        .setCoder(AvroCoder.of(FraudDecision.class));
  }

  private static class ScoreFn extends DoFn<CustomerFeatures, FraudDecision> {
    private final FraudModel model;

    ScoreFn(FraudModel model) {
      this.model = model;
    }

    @ProcessElement
    public void process(
        @Element CustomerFeatures features, @Timestamp Instant eventTime, OutputReceiver<FraudDecision> out) {
      FraudDecision decision = model.score(features);
      Metrics.counter(METRICS_NAMESPACE, decision.getDecision().name()).inc();
      PaystreamMetrics.DECISIONS.labelValues(decision.getDecision().name()).inc();
      // The element timestamp is the payment's event time; the sink's commit adds its batch delay.
      PaystreamMetrics.DECISION_LATENCY.observe(
          PaystreamMetrics.seconds(System.currentTimeMillis() - eventTime.getMillis()));
      out.output(decision);
    }
  }
}
