package dev.paystream.io.kafka;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.beam.sdk.values.KV;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

/** A record the producer would refuse never reaches the exactly-once sink; the others all do. */
class KafkaRecordSizeTest {
  @Test
  void recordsLargerThanTheProducersMaxRequestSizeDoNotFit() {
    KafkaRecordSize guard = KafkaRecordSize.guard("decisions", Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 10_000));
    int room = 10_000 - KafkaRecordSize.RECORD_OVERHEAD_BYTES;
    assertTrue(guard.fits(KV.of("k", new byte[room - 3])));
    assertFalse(guard.fits(KV.of("k", new byte[room - 2])));
    assertFalse(guard.fits(KV.of("k", new byte[10_000])));
  }

  @Test
  void theLimitIsKafkasDefaultWhenTheProducerConfigSaysNothing() {
    KafkaRecordSize guard = KafkaRecordSize.guard("decisions", Map.of());
    assertTrue(guard.fits(KV.of("a", new byte[1_000_000])));
    assertFalse(guard.fits(KV.of("b", new byte[1_048_576])));
  }
}
