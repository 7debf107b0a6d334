package dev.paystream.pipelines.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.pipelines.KnownInput;
import dev.paystream.pipelines.generator.FraudPattern;
import dev.paystream.pipelines.generator.GeneratedRecord;
import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import dev.paystream.pipelines.generator.PaymentGenerator;
import dev.paystream.pipelines.generator.SchemaVersion;
import dev.paystream.schemas.FraudDecision;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.transforms.scoring.FraudModel;
import dev.paystream.transforms.validate.PaymentFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * PaymentEvent v2's device id reaches the decision as the new_device feature through the fraud
 * job's own steps, for v1 and v2 producers on one stream: false for the customer's own device,
 * true for an account takeover's.
 */
class V2FeaturesEndToEndTest {
  @Test
  void everyV2PaymentAfterTheCustomersFirstCarriesNewDevice() throws Exception {
    for (PaymentFormat format : List.of(PaymentFormat.AVRO, PaymentFormat.JSON)) {
      List<GeneratedRecord> records = new ArrayList<>();
      PaymentGenerator.builder()
          .seed(11)
          .customers(40)
          .format(format)
          .schemaVersion(SchemaVersion.MIXED)
          .fraudFraction(0.3)
          .backfill(600, KnownInput.latestBusyHour())
          .build()
          .forEachRemaining(records::add);
      FraudModel model = FraudModel.loadDefault();
      List<FraudDecision> decisions = GeneratedDecisions.decide(records, List.of(model)).get(model.version());

      Map<String, PaymentEvent> payments = new HashMap<>();
      Set<String> takeovers = new HashSet<>();
      for (GeneratedRecord record : records) {
        if (record.kind() == Kind.VALID) {
          payments.put(record.transactionId(), format.decode(record.value()));
        }
        if (FraudPattern.ACCOUNT_TAKEOVER.name().equals(record.fraudPattern())) {
          takeovers.add(record.transactionId());
        }
      }
      assertEquals(payments.size(), decisions.size());
      decisions.sort((a, b) -> Long.compare(a.getEventTime(), b.getEventTime()));
      Set<String> seenOnV2 = new HashSet<>();
      int v2WithFeature = 0;
      int takeoversSeen = 0;
      for (FraudDecision decision : decisions) {
        PaymentEvent payment = payments.get(decision.getTransactionId());
        Boolean newDevice = decision.getFeatures().getNewDevice();
        if (payment.getDeviceId() == null) {
          assertNull(newDevice, "a v1 payment has no device id");
        } else if (takeovers.contains(decision.getTransactionId()) && seenOnV2.contains(payment.getCustomerId())) {
          assertEquals(Boolean.TRUE, newDevice, format + ": " + decision.getTransactionId() + " is a takeover's device");
          takeoversSeen++;
        } else if (seenOnV2.add(payment.getCustomerId())) {
          assertNull(newDevice, "a customer's first device has nothing to compare with");
        } else {
          assertEquals(Boolean.FALSE, newDevice, format + ": " + decision.getTransactionId() + " is a known device");
          v2WithFeature++;
        }
      }
      assertTrue(v2WithFeature > 100, format + ": " + v2WithFeature + " v2 decisions with new_device");
      assertTrue(takeoversSeen > 0, format + ": no account takeover on a v2 producer's payment");
      System.out.printf("%s: %d takeovers checked of %d, %d known devices%n", format, takeoversSeen, takeovers.size(), v2WithFeature);
    }
  }
}
