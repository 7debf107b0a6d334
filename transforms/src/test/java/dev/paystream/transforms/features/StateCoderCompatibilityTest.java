package dev.paystream.transforms.features;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import dev.paystream.schemas.CustomerFeatures;
import dev.paystream.schemas.DeviceInfo;
import dev.paystream.schemas.GeoLocation;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.transforms.TestPayments;
import dev.paystream.transforms.state.PaymentCoder;
import dev.paystream.transforms.state.StateCoders;
import dev.paystream.transforms.state.VersionedCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

/**
 * State written by every earlier release decodes in this one. Under {@code
 * src/test/resources/dev/paystream/transforms/state/} sit the bytes each release wrote for the same
 * fixture: {@code <Name>-v0.bin} by the release before versioning (unversioned), {@code
 * <Name>-vN.bin} by the release whose coder writes version N. A layout change without a new
 * version fails {@link #currentLayoutIsTheCommittedOne}; a new version without its golden bytes
 * fails too (and leaves them under {@code target/golden/} to review and commit).
 */
public class StateCoderCompatibilityTest {
  private static final String GOLDEN = "/dev/paystream/transforms/state/";
  private static final long T0 = 1_764_000_000_000L;

  /** @param firstVersion 0 if the release before versioning wrote it unversioned, else 1 */
  private record Case<T>(String name, VersionedCoder<T> coder, T fixture, int firstVersion) {
    Case(String name, VersionedCoder<T> coder, T fixture) {
      this(name, coder, fixture, 0);
    }
  }

  private static List<Case<?>> cases() {
    return List.of(
        new Case<>("DedupArrivals", StateCoders.arrivals(), arrivals()),
        new Case<>("CustomerHistory", (VersionedCoder<CustomerHistory>) CustomerHistory.coder(), history()),
        new Case<>("PaymentEvent", StateCoders.payments(PaymentCoder.COMPACT), payment()),
        new Case<>("CustomerFeatures", StateCoders.avro(CustomerFeatures.class), features()),
        // Born versioned (rules-v3's release): no unversioned layout before them.
        new Case<>("MerchantHistory", (VersionedCoder<MerchantHistory>) MerchantHistory.coder(), merchant(), 1),
        new Case<>("FlushTime", StateCoders.eventTime(), T0 + 42L, 1));
  }

  @Test
  public void currentLayoutIsTheCommittedOne() throws Exception {
    List<String> missing = new ArrayList<>();
    for (Case<?> c : cases()) {
      try {
        golden(c.name(), c.coder().currentVersion(), encode(c));
      } catch (AssertionError e) {
        missing.add(e.getMessage());
      }
    }
    assertEquals(List.of(), missing);
    for (Case<?> c : cases()) {
      assertArrayEquals(
          c.name() + " is encoded differently from its committed version " + c.coder().currentVersion()
              + ": a new layout needs a new version (and the old one kept as a reader)",
          golden(c.name(), c.coder().currentVersion(), encode(c)),
          encode(c));
    }
  }

  @Test
  public void everyEarlierVersionDecodesToTheSameState() throws Exception {
    for (Case<?> c : cases()) {
      byte[] current = golden(c.name(), c.coder().currentVersion(), encode(c));
      for (int version = c.firstVersion(); version <= c.coder().currentVersion(); version++) {
        assertArrayEquals(
            c.name() + " v" + version + " read by this release",
            current,
            reencoded(c.coder(), golden(c.name(), version, null)));
      }
    }
  }

  @Test
  public void v2FieldsSurviveTheKeyedPaymentCoder() throws Exception {
    PaymentEvent v2 = PaymentEvent.newBuilder(payment()).setDeviceId("dev-1").setChannel("app").build();
    assertEquals(v2, CoderUtils.clone(StateCoders.payments(PaymentCoder.COMPACT), v2));
    assertEquals(v2, CoderUtils.clone(StateCoders.payments(PaymentCoder.AVRO), v2));
  }

  /** The benchmark's baseline ({@code --paymentCoder=AVRO}) is the coder before issue 16, byte for byte. */
  @Test
  public void theAvroPaymentCoderWritesWhatTheReleaseBeforeTheCompactLayoutWrote() throws Exception {
    VersionedCoder<PaymentEvent> avro = StateCoders.payments(PaymentCoder.AVRO);
    assertEquals(2, avro.currentVersion());
    assertArrayEquals(golden("PaymentEvent", 2, null), CoderUtils.encodeToByteArray(avro, payment()));
    assertEquals(avro, StateCoders.avro(PaymentEvent.class));
  }

  /**
   * A savepoint holds the state coders Java-serialized: the coders of 4a65de2 (2026-12-07, before
   * the compact payment layout), serialized then ({@code StateCoders-4a65de2.ser}), still
   * deserialize into working coders. Fails when one of their classes is renamed, removed or
   * changes its serialVersionUID.
   */
  @Test
  public void theStateCodersASavepointOf4a65de2HoldsStillDeserialize() throws Exception {
    List<String> names = List.of("DedupArrivals", "CustomerHistory", "MerchantHistory", "PaymentEvent", "CustomerFeatures", "FlushTime");
    List<?> coders;
    try (ObjectInputStream in = new ObjectInputStream(StateCoderCompatibilityTest.class.getResourceAsStream(GOLDEN + "StateCoders-4a65de2.ser"))) {
      coders = (List<?>) in.readObject();
    }
    assertEquals(names.size(), coders.size());
    for (int i = 0; i < names.size(); i++) {
      VersionedCoder<?> coder = (VersionedCoder<?>) coders.get(i);
      byte[] written = golden(names.get(i), coder.currentVersion(), null);
      assertArrayEquals(names.get(i) + " through the coder of 4a65de2", written, reencoded(coder, written));
    }
  }

  @Test
  public void aVersionFromTheFutureIsRefusedNotMisread() throws Exception {
    VersionedCoder<Map<String, Long>> coder = StateCoders.arrivals();
    byte[] bytes = CoderUtils.encodeToByteArray(coder, arrivals());
    bytes[1] = (byte) (coder.currentVersion() + 1);
    try {
      CoderUtils.decodeFromByteArray(coder, bytes);
      fail("a newer release's state was read");
    } catch (CoderException expected) {
      assertEquals(true, expected.getMessage().contains("unknown to this release"));
    }
  }

  private static <T> byte[] reencoded(Coder<T> coder, byte[] bytes) throws CoderException {
    return CoderUtils.encodeToByteArray(coder, CoderUtils.decodeFromByteArray(coder, bytes));
  }

  private static <T> byte[] encode(Case<T> c) throws CoderException {
    return CoderUtils.encodeToByteArray(c.coder(), c.fixture());
  }

  /** Committed bytes; if missing and {@code candidate} is given, written under target/ and failed. */
  private static byte[] golden(String name, int version, byte[] candidate) throws IOException {
    String file = name + "-v" + version + ".bin";
    try (InputStream in = StateCoderCompatibilityTest.class.getResourceAsStream(GOLDEN + file)) {
      if (in != null) {
        return in.readAllBytes();
      }
    }
    if (candidate != null) {
      Path written = Path.of("target/golden", file);
      Files.createDirectories(written.getParent());
      Files.write(written, candidate);
      fail("no committed golden bytes " + file + ": review " + written.toAbsolutePath() + ", commit it under src/test/resources" + GOLDEN);
    }
    throw new AssertionError("no committed golden bytes " + file);
  }

  // The fixture every golden file holds; it never changes (new fields keep their defaults).

  private static Map<String, Long> arrivals() {
    Map<String, Long> arrivals = new HashMap<>(); // MapCoder decodes into a HashMap
    arrivals.put("tx-0001", 1_764_000_000_123L);
    arrivals.put("tx-0002", 1_764_000_060_456L);
    return arrivals;
  }

  private static CustomerHistory history() {
    CustomerHistory history = new CustomerHistory();
    long[] amounts = {1250, 4999, 870, 120000, 2300};
    for (int i = 0; i < amounts.length; i++) {
      history.addPayment(T0 + i * 600_000L, amounts[i], 3);
    }
    return history;
  }

  private static PaymentEvent payment() {
    return TestPayments.payment("tx-golden-1", "cust-7", T0, 4_999)
        .setLocation(new GeoLocation(52.52, 13.405))
        .setDeviceInfo(new DeviceInfo("android", "4.2.0"))
        .build();
  }

  private static MerchantHistory merchant() {
    MerchantHistory merchant = new MerchantHistory();
    for (int i = 0; i < 12; i++) {
      merchant.addPayment(MerchantHistoryTest.payment("tx-m" + i, T0 + i * 60_000L, 1_000 + 250L * i, i % 4 == 3 ? 2.5 : 0.2, i % 5 == 4));
    }
    return merchant;
  }

  private static CustomerFeatures features() {
    CustomerHistory history = history();
    return history.addPayment(T0 + 3_600_000L, 7_777, 3).setCustomerId("cust-7").setTransactionId("tx-golden-2").build();
  }
}
