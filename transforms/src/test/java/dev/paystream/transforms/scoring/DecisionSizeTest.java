package dev.paystream.transforms.scoring;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.wire.SingleObject;
import dev.paystream.transforms.validate.PaymentRules;
import org.junit.Test;

/**
 * Validation bounds every field a decision carries, so a decision always fits the decisions topic
 * (Kafka's default record limit is 1 MiB): the largest one validation lets through, every rule
 * fired and ids at their bound in 3-byte characters, is a few kilobytes.
 */
public class DecisionSizeTest {
  @Test
  public void theLargestDecisionValidationAllowsIsAFewKilobytes() {
    String longestId = "中".repeat(PaymentRules.MAX_ID_LENGTH);
    FraudDecision decision =
        FraudModel.loadDefault()
            .score(
                FraudModelTest.quiet()
                    .setTransactionId(longestId)
                    .setCustomerId(longestId)
                    .setPaymentsLast5m(Integer.MAX_VALUE)
                    .setPaymentsLast1h(Integer.MAX_VALUE)
                    .setAmount(Long.MAX_VALUE)
                    .setAmountSum24h(Long.MAX_VALUE)
                    .setAmountZscore(Double.MAX_VALUE)
                    .setUnusualHour(true)
                    .setSecondsSincePrevious(0.0)
                    .build());
    assertFalse("every rule fired", decision.getReasons().isEmpty());
    int size = SingleObject.encode(decision).length;
    assertTrue("decision of " + size + " bytes", size < 4 * 1024);
  }
}
