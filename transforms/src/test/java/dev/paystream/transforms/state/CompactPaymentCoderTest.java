package dev.paystream.transforms.state;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.paystream.schemas.CommissionType;
import dev.paystream.schemas.CustomerType;
import dev.paystream.schemas.DeviceInfo;
import dev.paystream.schemas.GeoLocation;
import dev.paystream.schemas.MerchantCategory;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentMethod;
import dev.paystream.schemas.PaymentStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;

/**
 * The compact payment layout keeps every field of PaymentEvent v1 and v2 whatever their values
 * (absent optional fields, any string, any long, every enum symbol), is self-delimiting inside a
 * keyed element, is no bigger than the Avro binary it replaces, and turns damaged bytes into a
 * {@link CoderException}. Its bytes are pinned by {@code StateCoderCompatibilityTest}'s golden
 * file {@code PaymentEvent-v3.bin}.
 */
class CompactPaymentCoderTest {
  private static final Coder<PaymentEvent> COMPACT = StateCoders.payments(PaymentCoder.COMPACT);
  private static final Coder<PaymentEvent> AVRO = StateCoders.payments(PaymentCoder.AVRO);

  @Property(tries = 1_000)
  void everyPaymentSurvivesTheRoundTrip(@ForAll("payments") PaymentEvent payment) throws CoderException {
    assertEquals(payment, CoderUtils.clone(COMPACT, payment));
  }

  @Property(tries = 300)
  void whatTheAvroCoderWroteReadsTheSame(@ForAll("payments") PaymentEvent payment) throws CoderException {
    byte[] avro = CoderUtils.encodeToByteArray(AVRO, payment);
    assertEquals(payment, CoderUtils.decodeFromByteArray(COMPACT, avro));
  }

  @Property(tries = 300)
  void keyedPaymentsFollowingEachOtherInOneStreamDecodeApart(
      @ForAll("payments") PaymentEvent first, @ForAll("payments") PaymentEvent second) throws IOException {
    KvCoder<String, PaymentEvent> keyed = KvCoder.of(StringUtf8Coder.of(), COMPACT);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    keyed.encode(KV.of(first.getCustomerId(), first), out);
    keyed.encode(KV.of(second.getCustomerId(), second), out);
    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    assertEquals(KV.of(first.getCustomerId(), first), keyed.decode(in));
    assertEquals(KV.of(second.getCustomerId(), second), keyed.decode(in));
    assertEquals(-1, in.read());
  }

  @Property(tries = 300)
  void noBiggerThanAvro(@ForAll("payments") PaymentEvent payment) throws CoderException {
    int compact = CoderUtils.encodeToByteArray(COMPACT, payment).length;
    int avro = CoderUtils.encodeToByteArray(AVRO, payment).length;
    // Avro spends a byte on each of the 8 optional fields' union branch and an int per enum; we
    // spend one flag byte, one byte per enum and the block's length (2 bytes from 128 on).
    assertTrue("compact " + compact + " bytes, Avro " + avro, compact <= avro);
  }

  @Property(tries = 1_000)
  void damagedBytesGiveACoderExceptionOrAPayment(@ForAll("payments") PaymentEvent payment, @ForAll("edits") int[] edits)
      throws CoderException {
    // The layout's own bytes: the version in front is VersionedCoder's (and Avro's, if damaged into 1 or 2).
    CompactPaymentCoder layout = new CompactPaymentCoder();
    byte[] damaged = damage(CoderUtils.encodeToByteArray(layout, payment), edits);
    try {
      CoderUtils.decodeFromByteArray(layout, damaged);
    } catch (CoderException expected) {
      // a block cut short or running over, a bad varint, an unknown enum index, bytes left over
    }
    // anything else (an index out of bounds, a negative array size) fails the property
  }

  @Property(tries = 200)
  void cutShortIsRefused(@ForAll("payments") PaymentEvent payment, @ForAll("fractions") double kept) throws CoderException {
    byte[] bytes = CoderUtils.encodeToByteArray(COMPACT, payment);
    byte[] cut = Arrays.copyOf(bytes, (int) (bytes.length * kept));
    assertThrows(CoderException.class, () -> CoderUtils.decodeFromByteArray(COMPACT, cut));
  }

  @Property(tries = 50)
  void requiredFieldsAreRequired(@ForAll("payments") PaymentEvent payment) {
    PaymentEvent noCustomer = PaymentEvent.newBuilder(payment).build();
    noCustomer.setCustomerId(null);
    assertThrows(CoderException.class, () -> CoderUtils.encodeToByteArray(COMPACT, noCustomer));
    PaymentEvent noStatus = PaymentEvent.newBuilder(payment).build();
    noStatus.setStatus(null);
    assertThrows(CoderException.class, () -> CoderUtils.encodeToByteArray(COMPACT, noStatus));
  }

  @Property(tries = 50)
  void equalPaymentsGiveEqualBytes(@ForAll("payments") PaymentEvent payment) throws CoderException {
    assertArrayEquals(
        CoderUtils.encodeToByteArray(COMPACT, payment),
        CoderUtils.encodeToByteArray(COMPACT, PaymentEvent.newBuilder(payment).build()));
  }

  @Provide
  Arbitrary<PaymentEvent> payments() {
    Arbitrary<String> text = Arbitraries.strings().ofMaxLength(200); // any char, empty included
    Arbitrary<String> optional = text.injectNull(0.4);
    Arbitrary<Long> anyLong = Arbitraries.longs();
    Arbitrary<GeoLocation> locations =
        Combinators.combine(Arbitraries.doubles(), Arbitraries.doubles()).as(GeoLocation::new).injectNull(0.3);
    Arbitrary<DeviceInfo> devices = Combinators.combine(text, text).as(DeviceInfo::new).injectNull(0.3);
    return Builders.withBuilder(PaymentEvent::newBuilder)
        .use(text).in(PaymentEvent.Builder::setTransactionId)
        .use(anyLong).in(PaymentEvent.Builder::setEventTime)
        .use(text).in(PaymentEvent.Builder::setCustomerId)
        .use(text).in(PaymentEvent.Builder::setMerchantId)
        .use(Arbitraries.of(MerchantCategory.class)).in(PaymentEvent.Builder::setMerchantCategory)
        .use(Arbitraries.of(PaymentMethod.class)).in(PaymentEvent.Builder::setPaymentMethod)
        .use(anyLong).in(PaymentEvent.Builder::setAmount)
        .use(locations).in(PaymentEvent.Builder::setLocation)
        .use(devices).in(PaymentEvent.Builder::setDeviceInfo)
        .use(Arbitraries.of(PaymentStatus.class)).in(PaymentEvent.Builder::setStatus)
        .use(Arbitraries.of(CommissionType.class)).in(PaymentEvent.Builder::setCommissionType)
        .use(anyLong).in(PaymentEvent.Builder::setCommissionAmount)
        .use(anyLong).in(PaymentEvent.Builder::setVatAmount)
        .use(anyLong).in(PaymentEvent.Builder::setTotalAmount)
        .use(Arbitraries.of(CustomerType.class)).in(PaymentEvent.Builder::setCustomerType)
        .use(Arbitraries.integers()).in(PaymentEvent.Builder::setRiskLevel)
        .use(optional).in(PaymentEvent.Builder::setFailureReason)
        .use(optional).in(PaymentEvent.Builder::setCurrency)
        .use(optional).in(PaymentEvent.Builder::setCardFingerprint)
        .use(optional).in(PaymentEvent.Builder::setDeviceId)
        .use(optional).in(PaymentEvent.Builder::setIpAddress)
        .use(optional).in(PaymentEvent.Builder::setChannel)
        .build(PaymentEvent.Builder::build);
  }

  @Provide
  Arbitrary<int[]> edits() {
    return Arbitraries.integers().between(0, Integer.MAX_VALUE).array(int[].class).ofMinSize(1).ofMaxSize(6);
  }

  @Provide
  Arbitrary<Double> fractions() {
    return Arbitraries.doubles().between(0, 0.999).ofScale(3);
  }

  /** Each edit overwrites one byte, the position and the new value taken from the edit. */
  private static byte[] damage(byte[] bytes, int[] edits) {
    byte[] damaged = bytes.clone();
    for (int edit : edits) {
      damaged[edit % damaged.length] = (byte) (edit >>> 8);
    }
    return damaged;
  }
}
