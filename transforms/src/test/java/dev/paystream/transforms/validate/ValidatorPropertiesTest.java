package dev.paystream.transforms.validate;

import static dev.paystream.transforms.TestPayments.T0;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.paystream.schemas.CommissionType;
import dev.paystream.schemas.CustomerType;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.DeviceInfo;
import dev.paystream.schemas.GeoLocation;
import dev.paystream.schemas.MerchantCategory;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentMethod;
import dev.paystream.schemas.PaymentStatus;
import dev.paystream.schemas.wire.SingleObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of validation over generated input: whatever the bytes, the validator gives a payment
 * or a reason and never throws anything else, and the dead letter fits its bound; the JSON of a
 * payment means the same whatever its field order and spacing.
 */
class ValidatorPropertiesTest {
  private static final long NOW = T0 + 60_000;
  private static final int MAX_PAYLOAD_BYTES = 512;
  private static final PaymentValidator VALIDATOR =
      new PaymentValidator(PaymentFormat.AUTO, 300_000, 366L * 86_400_000L, MAX_PAYLOAD_BYTES);

  @Property(tries = 2_000)
  void anyBytesGiveAPaymentOrAFittingDeadLetter(@ForAll("hostileBytes") byte[] bytes) {
    try {
      VALIDATOR.validate(bytes, NOW);
    } catch (InvalidPaymentException e) {
      DeadLetter letter =
          DeadLetters.of(HostileInputTest.record(bytes), "validate", e.reason(), e.getMessage(), NOW, MAX_PAYLOAD_BYTES);
      int encoded = SingleObject.encode(letter).length;
      assertTrue("dead letter of " + encoded + " bytes", encoded <= MAX_PAYLOAD_BYTES + DeadLetters.MAX_METADATA_BYTES);
      assertEquals(e.reason().name(), letter.getErrorCode());
    }
    // anything else thrown (a RuntimeException from a decoder, an OutOfMemoryError) fails the property
  }

  @Property(tries = 500)
  void aPaymentsJsonReorderedAndRespacedDecodesToTheSamePayment(
      @ForAll("payments") PaymentEvent payment, @ForAll("seeds") long seed) throws Exception {
    String reordered = reorderedAndRespaced(PaymentJson.encode(payment), new Random(seed));
    assertEquals(reordered, payment, new PaymentValidator(PaymentFormat.AUTO, 300_000).validate(reordered.getBytes(StandardCharsets.UTF_8), NOW));
  }

  @Provide
  Arbitrary<byte[]> hostileBytes() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(6_000);
    byte[] avro = PaymentFormat.AVRO.encode(sample());
    byte[] header = Arrays.copyOf(avro, 10); // magic C3 01 + the current schema's real fingerprint
    Arbitrary<byte[]> garbageAfterARealHeader = random.map(tail -> concat(header, tail));
    Arbitrary<byte[]> mutatedAvro = mutations(avro);
    Arbitrary<byte[]> mutatedJson = mutations(PaymentJson.encode(sample()));
    return Arbitraries.oneOf(random, garbageAfterARealHeader, mutatedAvro, mutatedJson);
  }

  @Provide
  Arbitrary<Long> seeds() {
    return Arbitraries.longs();
  }

  @Provide
  Arbitrary<PaymentEvent> payments() {
    Arbitrary<String> ids =
        Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars('-', '_', 'é', '中', ' ')
            .ofMinLength(1).ofMaxLength(PaymentRules.MAX_ID_LENGTH).filter(id -> !id.isBlank());
    Arbitrary<GeoLocation> locations =
        Combinators.combine(Arbitraries.doubles().between(-90, 90), Arbitraries.doubles().between(-180, 180))
            .as(GeoLocation::new).injectNull(0.3);
    Arbitrary<DeviceInfo> devices = Combinators.combine(ids, ids).as(DeviceInfo::new).injectNull(0.3);
    return Builders.withBuilder(() -> sampleBuilder())
        .use(ids).in((b, id) -> b.setTransactionId(id))
        .use(ids).in((b, id) -> b.setCustomerId(id))
        .use(ids).in((b, id) -> b.setMerchantId(id))
        .use(Arbitraries.longs().between(NOW - 300L * 86_400_000L, NOW)).in((b, t) -> b.setEventTime(t))
        .use(Arbitraries.of(MerchantCategory.class)).in((b, v) -> b.setMerchantCategory(v))
        .use(Arbitraries.of(PaymentMethod.class)).in((b, v) -> b.setPaymentMethod(v))
        .use(Arbitraries.of(PaymentStatus.class)).in((b, v) -> b.setStatus(v))
        .use(Arbitraries.of(CommissionType.class)).in((b, v) -> b.setCommissionType(v))
        .use(Arbitraries.of(CustomerType.class)).in((b, v) -> b.setCustomerType(v))
        .use(Arbitraries.integers().between(1, 5)).in((b, v) -> b.setRiskLevel(v))
        .use(locations).in((b, v) -> b.setLocation(v))
        .use(devices).in((b, v) -> b.setDeviceInfo(v))
        .use(ids.injectNull(0.5)).in((b, v) -> b.setFailureReason(v))
        .use(Arbitraries.longs().between(1, 1_000_000_000_000L)).in((b, v) -> b.setAmount(v))
        .use(Arbitraries.longs().between(0, 1_000_000_000L)).in((b, v) -> b.setCommissionAmount(v))
        .use(Arbitraries.longs().between(0, 1_000_000_000L)).in((b, v) -> b.setVatAmount(v))
        .build(b -> b.setTotalAmount(b.getAmount() + b.getCommissionAmount() + b.getVatAmount()).build());
  }

  private static PaymentEvent sample() {
    return sampleBuilder().build();
  }

  private static PaymentEvent.Builder sampleBuilder() {
    return dev.paystream.transforms.TestPayments.payment("tx-1", "cust_1", T0, 150_000)
        .setLocation(new GeoLocation(52.37, 4.89))
        .setDeviceInfo(new DeviceInfo("ios", "1.2.3"));
  }

  /** {@code valid} with a few bytes overwritten, cut short, or extended. */
  private static Arbitrary<byte[]> mutations(byte[] valid) {
    Arbitrary<int[]> edits = Arbitraries.integers().between(0, Integer.MAX_VALUE).array(int[].class).ofMinSize(1).ofMaxSize(8);
    return edits.map(
        e -> {
          byte[] bytes = valid.clone();
          for (int i = 0; i + 1 < e.length; i += 2) {
            bytes[e[i] % bytes.length] = (byte) e[i + 1];
          }
          int cut = e[0] % 3 == 0 ? e[e.length - 1] % bytes.length : bytes.length;
          return Arrays.copyOf(bytes, e[0] % 5 == 0 ? bytes.length + 1 + e[0] % 7 : cut);
        });
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  /** The same JSON object with its fields shuffled and random whitespace between tokens. */
  private static String reorderedAndRespaced(byte[] json, Random random) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    JsonNode tree = mapper.readTree(json);
    List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
      fields.add(it.next());
    }
    Collections.shuffle(fields, random);
    StringBuilder out = new StringBuilder(space(random)).append('{');
    for (int i = 0; i < fields.size(); i++) {
      out.append(i == 0 ? "" : ",").append(space(random))
          .append(mapper.writeValueAsString(fields.get(i).getKey())).append(space(random)).append(':')
          .append(space(random)).append(mapper.writeValueAsString(fields.get(i).getValue())).append(space(random));
    }
    return out.append('}').append(space(random)).toString();
  }

  private static String space(Random random) {
    String[] blanks = {"", " ", "\n", "\t", "\r\n", "  "};
    return blanks[random.nextInt(blanks.length)];
  }
}
