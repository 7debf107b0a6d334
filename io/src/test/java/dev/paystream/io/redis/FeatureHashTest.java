package dev.paystream.io.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.paystream.io.sinks.TestDecisions;
import dev.paystream.schemas.CustomerFeatures;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureHashTest {

  private final TestDecisions data = new TestDecisions();

  @Test
  void everyFieldRoundTripsExactly() {
    CustomerFeatures features =
        CustomerFeatures.newBuilder(data.decision(1, 5).getFeatures())
            .setAmountZscore(-1.0 / 3.0)
            .setAmountMean(Double.NaN)
            .build();

    assertEquals(features, FeatureHash.parse(FeatureHash.fields(features)));
  }

  @Test
  void nullFieldIsLeftOutAndReadBackAsNull() {
    CustomerFeatures first = data.decision(1, 0).getFeatures();

    Map<String, String> fields = FeatureHash.fields(first);

    assertFalse(fields.containsKey("seconds_since_previous"));
    assertEquals(first, FeatureHash.parse(fields));
  }

  @Test
  void fieldsAreTheSchemaNamesWithPlainText() {
    Map<String, String> fields = FeatureHash.fields(data.decision(2, 3).getFeatures());

    assertEquals(data.customer(2), fields.get("customer_id"));
    assertEquals("4", fields.get("payments_last_5m"));
    assertEquals("true", fields.get("unusual_hour"));
    assertEquals("features:" + data.customer(2), FeatureHash.key(data.customer(2)));
  }

  @Test
  void unknownFieldsAreIgnoredAndMissingRequiredOnesRejected() {
    CustomerFeatures features = data.decision(0, 1).getFeatures();
    Map<String, String> fields = new HashMap<>(FeatureHash.fields(features));
    fields.put("added_by_a_newer_writer", "1");
    assertEquals(features, FeatureHash.parse(fields));

    fields.remove("amount");
    assertThrows(IllegalArgumentException.class, () -> FeatureHash.parse(fields));
  }
}
