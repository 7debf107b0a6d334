package dev.paystream.transforms.scoring;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.Decision;
import dev.paystream.schemas.FraudDecision;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.Test;

public class FraudModelTest {
  // rules-v1, the first model; rules-v2's tests follow it, then rules-v3's (the shipped one).
  private final FraudModel model = FraudModel.loadResource(FraudModel.FIRST_RESOURCE);
  private final FraudModel v2 = FraudModel.loadResource(FraudModel.PREVIOUS_RESOURCE);
  private final FraudModel v3 = FraudModel.loadDefault();

  static CustomerFeatures.Builder quiet() {
    return CustomerFeatures.newBuilder()
        .setCustomerId("c")
        .setTransactionId("t")
        .setEventTime(0L)
        .setAmount(100L)
        .setPaymentsLast5m(1)
        .setPaymentsLast1h(1)
        .setAmountSum24h(100L)
        .setSecondsSincePrevious(null)
        .setHourOfDay(10)
        .setUnusualHour(false)
        .setHistoryCount(20L)
        .setAmountMean(100.0)
        .setAmountStddev(10.0)
        .setAmountZscore(0.0);
  }

  @Test
  public void quietPaymentIsApprovedWithNoReasons() {
    FraudDecision decision = model.score(quiet().build());
    assertEquals(Decision.APPROVE, decision.getDecision());
    assertEquals(0.0, decision.getScore(), 0);
    assertTrue(decision.getReasons().isEmpty());
    assertEquals("rules-v1", decision.getModelVersion());
  }

  @Test
  public void burstAloneIsReviewed() {
    FraudDecision decision = model.score(quiet().setPaymentsLast5m(5).setSecondsSincePrevious(30.0).build());
    assertEquals(List.of("burst_5m"), decision.getReasons());
    assertEquals(0.45, decision.getScore(), 1e-9);
    assertEquals(Decision.REVIEW, decision.getDecision());
  }

  @Test
  public void largeAmountAtAnUnusualHourIsDeclinedAndScoreIsCapped() {
    FraudDecision decision =
        model.score(quiet().setAmountZscore(6.0).setUnusualHour(true).setSecondsSincePrevious(2.0).build());
    assertEquals(List.of("rapid_repeat", "amount_anomaly", "amount_high", "unusual_hour"), decision.getReasons());
    assertEquals(1.0, decision.getScore(), 0);
    assertEquals(Decision.DECLINE, decision.getDecision());
  }

  @Test
  public void v2IsShippedAndNamesItselfAndTheRulesThatFired() {
    FraudDecision quiet = v2.score(quiet().setPaymentsLast5m(8).setPaymentsLast1h(30).setSecondsSincePrevious(2.0).build());
    assertEquals("rules-v2", quiet.getModelVersion());
    assertEquals("a customer's usual pace, however fast, is no burst", Decision.APPROVE, quiet.getDecision());
    FraudDecision burst = v2.score(quiet().setPaymentsLast2mExcess(5.2).build());
    assertEquals(List.of("burst_2m"), burst.getReasons());
    assertEquals(Decision.REVIEW, burst.getDecision());
  }

  @Test
  public void v2NeedsTwoSignsOfTakeoverOrTravel() {
    assertEquals(Decision.APPROVE, v2.score(quiet().setNewDevice(true).build()).getDecision());
    assertEquals(Decision.APPROVE, v2.score(quiet().setKmFromHome(8.0).setKmPerHourSincePrevious(950.0).build()).getDecision());
    FraudDecision travel = v2.score(quiet().setKmFromHome(740.0).setKmPerHourSincePrevious(2_200.0).build());
    assertEquals(List.of("far_from_home", "impossible_speed"), travel.getReasons());
    assertEquals(Decision.REVIEW, travel.getDecision());
    FraudDecision takeover = v2.score(quiet().setNewDevice(true).setKmFromHome(530.0).setAmountZscore(3.0).build());
    assertEquals(List.of("amount_high", "far_from_home", "new_device"), takeover.getReasons());
    assertEquals(Decision.REVIEW, takeover.getDecision());
  }

  @Test
  public void v2CountsAnUnusualHourByHowFarAndHowKnownTheCustomerIs() {
    assertEquals(Decision.APPROVE, v2.score(quiet().setHoursFromUsual(2).build()).getDecision());
    assertEquals(Decision.REVIEW, v2.score(quiet().setHoursFromUsual(3).build()).getDecision());
    assertEquals(Decision.REVIEW, v2.score(quiet().setHoursFromUsual(2).setHistoryCount(40L).build()).getDecision());
  }

  @Test
  public void v3IsShippedAndFlagsAnUnusualPaymentAtAMerchantUnderAttackOnly() {
    assertEquals("rules-v3", v3.version());
    FraudDecision attackAlone = v3.score(quiet().setMerchantRisky30m(6).setMerchantRiskScore(0.4).build());
    assertEquals(List.of("merchant_run", "merchant_risk"), attackAlone.getReasons());
    assertEquals("an ordinary payment at a merchant under attack", Decision.APPROVE, attackAlone.getDecision());
    FraudDecision victim = v3.score(quiet().setMerchantRisky30m(6).setMerchantRiskScore(0.4).setAmountZscore(2.7).build());
    assertEquals(List.of("amount_high", "merchant_run", "merchant_risk"), victim.getReasons());
    assertEquals(Decision.REVIEW, victim.getDecision());
    assertEquals("rules-v3", victim.getModelVersion());
    FraudDecision newCustomerVictim =
        v3.score(quiet().setMerchantRisky30m(4).setMerchantRiskScore(0.25).setNewMerchant(true).setAmountVsMerchant(3.2).build());
    assertEquals(Decision.REVIEW, newCustomerVictim.getDecision());
  }

  @Test
  public void v3IgnoresMerchantSignsOfAQuietMerchant() {
    assertEquals(Decision.APPROVE, v3.score(quiet().setNewMerchant(true).setAmountVsMerchant(3.5).setAmountZscore(2.7).build()).getDecision());
    assertEquals(Decision.APPROVE, v3.score(quiet().setMerchantRisky30m(3).setMerchantRiskScore(0.5).setAmountZscore(2.7).build()).getDecision());
    // rules-v2's decisions hold: v3 adds rules, never weight to the old ones.
    assertEquals(Decision.REVIEW, v3.score(quiet().setPaymentsLast2mExcess(5.2).build()).getDecision());
  }

  @Test
  public void ruleOnANullFeatureDoesNotFire() {
    assertTrue(model.score(quiet().setSecondsSincePrevious(null).build()).getReasons().isEmpty());
  }

  @Test
  public void badModelFilesAreRejectedWithTheirProblem() {
    String unknownFeature =
        "{\"version\":\"x\",\"review_threshold\":0.4,\"decline_threshold\":0.7,"
            + "\"rules\":[{\"name\":\"r\",\"feature\":\"shoe_size\",\"op\":\">\",\"threshold\":1,\"weight\":0.5}]}";
    assertEquals(
        "rule r: no feature named 'shoe_size'",
        assertThrows(IllegalArgumentException.class, () -> parse(unknownFeature)).getMessage());
    String badThresholds = "{\"version\":\"x\",\"review_threshold\":0.8,\"decline_threshold\":0.7,\"rules\":[]}";
    assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(badThresholds)).getMessage().contains("review_threshold"));
    String badOp =
        "{\"version\":\"x\",\"review_threshold\":0.4,\"decline_threshold\":0.7,"
            + "\"rules\":[{\"name\":\"r\",\"feature\":\"amount\",\"op\":\"~\",\"threshold\":1,\"weight\":0.5}]}";
    assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(badOp)).getMessage().contains("unknown operator"));
  }

  private static FraudModel parse(String json) throws Exception {
    return FraudModel.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test");
  }
}
