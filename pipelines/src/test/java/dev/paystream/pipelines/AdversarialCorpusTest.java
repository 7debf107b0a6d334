package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.paystream.pipelines.AdversarialCorpus.Case;
import dev.paystream.transforms.validate.InvalidPaymentException;
import dev.paystream.transforms.validate.PaymentFormat;
import dev.paystream.transforms.validate.PaymentValidator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The corpus's expectations, checked against the validator alone in milliseconds (the IT runs it through the pipeline). */
class AdversarialCorpusTest {
  @Test
  void everyCaseGetsItsExpectedOutcomeFromTheValidator() {
    long now = System.currentTimeMillis();
    List<Case> cases = AdversarialCorpus.load(now);
    PaymentValidator validator = new PaymentValidator(PaymentFormat.AUTO, 300_000);
    Map<String, String> expected = new LinkedHashMap<>();
    Map<String, String> actual = new LinkedHashMap<>();
    for (Case c : cases) {
      expected.put(c.name(), c.expected().equals(AdversarialCorpus.DUPLICATE) ? AdversarialCorpus.DECIDED : c.expected());
      try {
        validator.validate(c.value(), now);
        actual.put(c.name(), AdversarialCorpus.DECIDED);
      } catch (InvalidPaymentException e) {
        actual.put(c.name(), e.reason().name());
      }
    }
    assertEquals(expected, actual);
    assertEquals(45, cases.size(), "cases in the manifest");
  }
}
