package dev.paystream.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KnownInputTest {
  /**
   * At the size of the backfill figures, some malformed payloads are byte for byte the same (a
   * truncated record cut after its first few bytes), and the pipeline dead-letters each: the
   * expected reasons must count every record, as the dead letters merged by payload do.
   */
  @Test
  void everyMalformedRecordHasAnExpectedReasonEvenWhenPayloadsRepeat() {
    KnownInput input = KnownInput.seedFormat(100_000, System.currentTimeMillis(), 7, 0);
    long reasons = input.malformedReasons.values().stream().mapToLong(joined -> joined.split(",").length).sum();
    assertEquals(input.expected.count(Kind.MALFORMED), reasons);
    assertTrue(input.malformedReasons.size() < reasons, "the input repeats a malformed payload, the case this covers");
    assertTrue(
        input.malformedReasons.values().stream()
            .allMatch(joined -> Arrays.stream(joined.split(",")).distinct().count() == 1),
        "the same bytes have the same reason");
  }
}
