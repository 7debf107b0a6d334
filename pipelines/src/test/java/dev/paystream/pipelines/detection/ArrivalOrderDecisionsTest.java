package dev.paystream.pipelines.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.pipelines.generator.FraudPattern;
import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.pipelines.generator.PaymentGenerator;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.transforms.scoring.FraudModel;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The merchant step decides the same on a live stream (at once, in arrival order) as on bounded
 * input (held for the watermark, in event-time order), which is the path {@link
 * DetectionQualityTest} measures: every payment of a small input gets the same decision, score,
 * rules and features both ways, compromised merchants' runs included. It fails if the stream path
 * reorders a merchant's payments or lets one see a later one.
 */
class ArrivalOrderDecisionsTest {
  @Test
  void aLiveStreamGetsTheDecisionsOfTheEventTimeOrder() {
    // Few customers paying often: they have the history a run's victims need within a few hundred
    // payments, so a small input holds several runs.
    List<GeneratedRecord> records = new DetectionQualityTest.Density("small dense", 60, 800, 0.2).generate(42, 0.15);
    FraudModel model = FraudModel.loadDefault();
    long runPayments = records.stream().filter(r -> FraudPattern.COMPROMISED_MERCHANT.name().equals(r.fraudPattern())).count();
    assertTrue(runPayments >= 3 * FraudPattern.MERCHANT_RUN_MIN_PAYMENTS, runPayments + " payments in compromised merchants' runs");

    Map<String, FraudDecision> inEventTimeOrder = byTransaction(GeneratedDecisions.decide(records, List.of(model)).get(model.version()));
    Map<String, FraudDecision> asStreamed = byTransaction(GeneratedDecisions.decideAsLiveStream(records, List.of(model)).get(model.version()));

    assertEquals(inEventTimeOrder.keySet(), asStreamed.keySet());
    inEventTimeOrder.forEach((id, decision) -> assertEquals(decision, asStreamed.get(id), id));
    DetectionReport report = DetectionReport.of(records, asStreamed.values());
    assertTrue(report.recall(FraudPattern.COMPROMISED_MERCHANT) > 0, report.table("stream"));
  }

  private static Map<String, FraudDecision> byTransaction(List<FraudDecision> decisions) {
    return decisions.stream().collect(Collectors.toMap(FraudDecision::getTransactionId, Function.identity()));
  }
}
