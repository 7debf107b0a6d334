package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.pipelines.generator.SchemaVersion;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.PaymentEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A rollout in progress: v1 and v2 producers (half the merchants each) write to one topic, and the
 * fraud pipeline decides every payment exactly once, read back read_committed; v1 payments are
 * scored without v2's device feature, and every v2 payment after a customer's first carries it.
 */
@ExtendWith(LocalStackExtension.class)
class SchemaVersionsPipelineIT {
  private static final int RECORDS = 600;

  @Test
  void v1AndV2ProducersOnOneTopicAreDecidedExactlyOnce(LocalStack stack) throws Exception {
    String run = "versions" + System.nanoTime();
    FraudDetectionOptions options = FraudDetectionPipelineIT.options(stack, run);
    stack.createTopics(Map.of(options.getPaymentsTopic(), 4, options.getDecisionsTopic(), 4, options.getDeadLetterTopic(), 1));
    KnownInput input = KnownInput.generate(RECORDS, System.currentTimeMillis(), SchemaVersion.MIXED);
    input.produce(KafkaConnections.from(options), options.getPaymentsTopic(), 0, RECORDS);

    FraudRun.Output output =
        FraudRun.runUntil(options, input.validIds.size(), input.malformedReasons.size(), Duration.ofMinutes(8), Duration.ofSeconds(5));

    input.assertExactlyOnce(output.decisions(), output.deadLetters(), options.getPaymentsTopic());
    Map<String, PaymentEvent> payments = new HashMap<>();
    for (PaymentEvent payment : input.validPayments()) {
      payments.put(payment.getTransactionId(), payment);
    }
    List<FraudDecision> decisions = new ArrayList<>(output.decisions());
    decisions.sort(Comparator.comparingLong(FraudDecision::getEventTime));
    Set<String> customersOnV2 = new HashSet<>();
    int v1 = 0;
    int v2 = 0;
    int v2WithDeviceFeature = 0;
    for (FraudDecision decision : decisions) {
      PaymentEvent payment = payments.get(decision.getTransactionId());
      Boolean newDevice = decision.getFeatures().getNewDevice();
      if (payment.getDeviceId() == null) {
        v1++;
        assertNull(newDevice, "a v1 payment has no device id");
      } else {
        v2++;
        // Only a customer's first v2 payment has no device to compare with.
        if (!customersOnV2.add(payment.getCustomerId())) {
          assertNotNull(newDevice, decision.getTransactionId() + ": a later v2 payment carries new_device");
          v2WithDeviceFeature++;
        }
      }
    }
    assertTrue(v1 > 0 && v2 > 0, "both producers' payments decided: v1 " + v1 + ", v2 " + v2);
    assertTrue(v2WithDeviceFeature > 0, v2WithDeviceFeature + " of " + v2 + " v2 decisions carry new_device");
    assertEquals(input.validIds.size(), output.decisions().size());
  }
}
