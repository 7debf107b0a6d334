package dev.paystream.transforms.state;

import dev.paystream.schemas.CommissionType;
import dev.paystream.schemas.CustomerType;
import dev.paystream.schemas.DeviceInfo;
import dev.paystream.schemas.GeoLocation;
import dev.paystream.schemas.MerchantCategory;
import dev.paystream.schemas.PaymentEvent;
import dev.paystream.schemas.PaymentMethod;
import dev.paystream.schemas.PaymentStatus;
import dev.paystream.schemas.wire.SchemaHistory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CustomCoder;

/**
 * A payment (every field of {@code PaymentEvent} v1 and v2) in a hand-written binary layout, for
 * the payments that cross the customer-keyed shuffles: one length-prefixed block that is written
 * with one call and read with one call, instead of Avro's schema-driven encoder and resolving
 * decoder reading the runner's stream byte by byte.
 *
 * <p>Layout 1: varint length of the rest, then a byte of presence flags for the eight optional
 * fields ({@link #LOCATION} … {@link #CHANNEL}), then in schema order the required fields and the
 * present optional ones. Strings are a varint UTF-8 length and the bytes; longs and ints zig-zag
 * varints (as in Avro); doubles 8 bytes big-endian; an enum is its index in the symbol list frozen
 * below (what the schema had when this layout was written), so a symbol added to an enum later
 * cannot be mis-numbered: encoding it fails until a layout that knows it is added. One of {@link
 * StateCoders#payments}' versions: a schema change needs a new layout there, never a change here
 * (the golden bytes in {@code StateCoderCompatibilityTest} hold this one).
 */
final class CompactPaymentCoder extends CustomCoder<PaymentEvent> {
  /** Pinned: see {@link VersionedCoder}. */
  private static final long serialVersionUID = 1L;

  /** The schema this layout covers (PaymentEvent v2): a later one must bring its own layout. */
  static final int SCHEMA_VERSION = 2;

  static final int LOCATION = 1;
  static final int DEVICE_INFO = 1 << 1;
  static final int FAILURE_REASON = 1 << 2;
  static final int CURRENCY = 1 << 3;
  static final int CARD_FINGERPRINT = 1 << 4;
  static final int DEVICE_ID = 1 << 5;
  static final int IP_ADDRESS = 1 << 6;
  static final int CHANNEL = 1 << 7;

  private static final FrozenSymbols<MerchantCategory> CATEGORIES = new FrozenSymbols<>(
      MerchantCategory.class, "RETAIL", "FOOD_SERVICE", "ENTERTAINMENT", "TRANSPORTATION", "GOVERNMENT");
  private static final FrozenSymbols<PaymentMethod> METHODS =
      new FrozenSymbols<>(PaymentMethod.class, "ONLINE", "POS", "MOBILE", "NFC");
  private static final FrozenSymbols<PaymentStatus> STATUSES =
      new FrozenSymbols<>(PaymentStatus.class, "APPROVED", "DECLINED");
  private static final FrozenSymbols<CommissionType> COMMISSIONS =
      new FrozenSymbols<>(CommissionType.class, "FLAT", "PROGRESSIVE", "TIERED");
  private static final FrozenSymbols<CustomerType> CUSTOMER_TYPES =
      new FrozenSymbols<>(CustomerType.class, "INDIVIDUAL", "CIP", "BUSINESS");

  /**
   * Refuses to exist for a {@code PaymentEvent} class whose schema is not the one this layout was
   * written for: a field it does not know would be dropped silently on every shuffle.
   */
  CompactPaymentCoder() {
    List<Schema> released = SchemaHistory.releasedVersions(PaymentEvent.getClassSchema().getName());
    long covered = SchemaNormalization.parsingFingerprint64(released.get(SCHEMA_VERSION - 1));
    if (covered != SchemaNormalization.parsingFingerprint64(PaymentEvent.getClassSchema())) {
      throw new IllegalStateException(
          "PaymentEvent is no longer schema v" + SCHEMA_VERSION + ": add a layout for it to StateCoders.payments()");
    }
  }

  @Override
  public void encode(PaymentEvent payment, OutputStream out) throws IOException {
    Block block = new Block();
    GeoLocation location = payment.getLocation();
    DeviceInfo device = payment.getDeviceInfo();
    int present = (location != null ? LOCATION : 0) | (device != null ? DEVICE_INFO : 0)
        | flag(payment.getFailureReason(), FAILURE_REASON) | flag(payment.getCurrency(), CURRENCY)
        | flag(payment.getCardFingerprint(), CARD_FINGERPRINT) | flag(payment.getDeviceId(), DEVICE_ID)
        | flag(payment.getIpAddress(), IP_ADDRESS) | flag(payment.getChannel(), CHANNEL);
    block.writeByte(present);
    block.writeString(payment.getTransactionId());
    block.writeLong(payment.getEventTime());
    block.writeString(payment.getCustomerId());
    block.writeString(payment.getMerchantId());
    block.writeByte(CATEGORIES.index(payment.getMerchantCategory()));
    block.writeByte(METHODS.index(payment.getPaymentMethod()));
    block.writeLong(payment.getAmount());
    if (location != null) {
      block.writeDouble(location.getLat());
      block.writeDouble(location.getLng());
    }
    if (device != null) {
      block.writeString(device.getOs());
      block.writeString(device.getAppVersion());
    }
    block.writeByte(STATUSES.index(payment.getStatus()));
    block.writeByte(COMMISSIONS.index(payment.getCommissionType()));
    block.writeLong(payment.getCommissionAmount());
    block.writeLong(payment.getVatAmount());
    block.writeLong(payment.getTotalAmount());
    block.writeByte(CUSTOMER_TYPES.index(payment.getCustomerType()));
    block.writeLong(payment.getRiskLevel());
    block.writeOptional(payment.getFailureReason());
    block.writeOptional(payment.getCurrency());
    block.writeOptional(payment.getCardFingerprint());
    block.writeOptional(payment.getDeviceId());
    block.writeOptional(payment.getIpAddress());
    block.writeOptional(payment.getChannel());
    block.writeTo(out);
  }

  @Override
  public PaymentEvent decode(InputStream in) throws IOException {
    Reader r = Reader.of(in);
    int present = r.readByte();
    PaymentEvent payment = new PaymentEvent();
    payment.setTransactionId(r.readString());
    payment.setEventTime(r.readLong());
    payment.setCustomerId(r.readString());
    payment.setMerchantId(r.readString());
    payment.setMerchantCategory(CATEGORIES.symbol(r.readByte()));
    payment.setPaymentMethod(METHODS.symbol(r.readByte()));
    payment.setAmount(r.readLong());
    if ((present & LOCATION) != 0) {
      payment.setLocation(new GeoLocation(r.readDouble(), r.readDouble()));
    }
    if ((present & DEVICE_INFO) != 0) {
      payment.setDeviceInfo(new DeviceInfo(r.readString(), r.readString()));
    }
    payment.setStatus(STATUSES.symbol(r.readByte()));
    payment.setCommissionType(COMMISSIONS.symbol(r.readByte()));
    payment.setCommissionAmount(r.readLong());
    payment.setVatAmount(r.readLong());
    payment.setTotalAmount(r.readLong());
    payment.setCustomerType(CUSTOMER_TYPES.symbol(r.readByte()));
    payment.setRiskLevel(r.readInt());
    payment.setFailureReason(r.readOptional(present, FAILURE_REASON));
    payment.setCurrency(r.readOptional(present, CURRENCY));
    payment.setCardFingerprint(r.readOptional(present, CARD_FINGERPRINT));
    payment.setDeviceId(r.readOptional(present, DEVICE_ID));
    payment.setIpAddress(r.readOptional(present, IP_ADDRESS));
    payment.setChannel(r.readOptional(present, CHANNEL));
    r.expectEnd();
    return payment;
  }

  @Override
  public void verifyDeterministic() {
    // Equal payments give equal bytes: no maps, fixed field order.
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CompactPaymentCoder;
  }

  @Override
  public int hashCode() {
    return CompactPaymentCoder.class.hashCode();
  }

  private static int flag(String value, int flag) {
    return value != null ? flag : 0;
  }

  /** An enum's symbols as this layout numbers them, by name: independent of the Java ordinals. */
  private static final class FrozenSymbols<E extends Enum<E>> {
    private final Class<E> type;
    private final int[] indexByOrdinal;
    private final E[] byIndex;

    @SuppressWarnings("unchecked")
    FrozenSymbols(Class<E> type, String... symbols) {
      this.type = type;
      E[] constants = type.getEnumConstants();
      indexByOrdinal = new int[constants.length];
      Arrays.fill(indexByOrdinal, -1);
      byIndex = (E[]) java.lang.reflect.Array.newInstance(type, symbols.length);
      for (int i = 0; i < symbols.length; i++) {
        E constant = Enum.valueOf(type, symbols[i]); // a symbol removed from the enum fails here, loudly
        byIndex[i] = constant;
        indexByOrdinal[constant.ordinal()] = i;
      }
    }

    int index(E value) throws CoderException {
      if (value == null) {
        throw new CoderException(type.getSimpleName() + " is required, got null");
      }
      int index = indexByOrdinal[value.ordinal()];
      if (index < 0) {
        throw new CoderException(type.getSimpleName() + "." + value + " is newer than this layout: add a layout");
      }
      return index;
    }

    E symbol(int index) throws CoderException {
      if (index >= byIndex.length) {
        throw new CoderException(type.getSimpleName() + " index " + index + " is not in this layout");
      }
      return byIndex[index];
    }
  }

  /** The bytes of one payment, built in memory so that the runner's stream sees a single write. */
  private static final class Block {
    private byte[] bytes = new byte[160];
    private int size;

    void writeByte(int b) {
      ensure(1);
      bytes[size++] = (byte) b;
    }

    void writeLong(long value) {
      ensure(10);
      long zigZag = (value << 1) ^ (value >> 63);
      while ((zigZag & ~0x7FL) != 0) {
        bytes[size++] = (byte) ((zigZag & 0x7F) | 0x80);
        zigZag >>>= 7;
      }
      bytes[size++] = (byte) zigZag;
    }

    void writeDouble(double value) {
      ensure(8);
      long bits = Double.doubleToRawLongBits(value);
      for (int shift = 56; shift >= 0; shift -= 8) {
        bytes[size++] = (byte) (bits >>> shift);
      }
    }

    void writeString(String value) throws CoderException {
      if (value == null) {
        throw new CoderException("a required string field is null");
      }
      byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
      writeUnsigned(utf8.length);
      ensure(utf8.length);
      System.arraycopy(utf8, 0, bytes, size, utf8.length);
      size += utf8.length;
    }

    /** Present (its flag set): as a string; absent: nothing. */
    void writeOptional(String value) throws CoderException {
      if (value != null) {
        writeString(value);
      }
    }

    void writeTo(OutputStream out) throws IOException {
      byte[] length = new byte[5];
      int n = 0;
      int rest = size;
      while ((rest & ~0x7F) != 0) {
        length[n++] = (byte) ((rest & 0x7F) | 0x80);
        rest >>>= 7;
      }
      length[n++] = (byte) rest;
      out.write(length, 0, n);
      out.write(bytes, 0, size);
    }

    private void writeUnsigned(int value) {
      ensure(5);
      while ((value & ~0x7F) != 0) {
        bytes[size++] = (byte) ((value & 0x7F) | 0x80);
        value >>>= 7;
      }
      bytes[size++] = (byte) value;
    }

    private void ensure(int more) {
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
      }
    }
  }

  /** One payment's block, read from the stream in one call and parsed in memory. */
  private static final class Reader {
    private final byte[] bytes;
    private int at;

    private Reader(byte[] bytes) {
      this.bytes = bytes;
    }

    static Reader of(InputStream in) throws IOException {
      int length = 0;
      for (int shift = 0; ; shift += 7) {
        int b = in.read();
        if (b < 0) {
          throw new CoderException("end of stream inside a payment's length");
        }
        if (shift > 28) {
          throw new CoderException("a payment's length is not a valid varint");
        }
        length |= (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          break;
        }
      }
      if (length < 0) {
        throw new CoderException("negative payment length " + length);
      }
      return new Reader(in.readNBytes(length)).checkedLength(length);
    }

    private Reader checkedLength(int length) throws CoderException {
      if (bytes.length != length) {
        throw new CoderException("end of stream inside a payment: " + bytes.length + " of " + length + " bytes");
      }
      return this;
    }

    int readByte() throws CoderException {
      need(1);
      return bytes[at++] & 0xFF;
    }

    long readLong() throws CoderException {
      long zigZag = 0;
      for (int shift = 0; ; shift += 7) {
        if (shift > 63) {
          throw new CoderException("a long is not a valid varint");
        }
        long b = readByte();
        zigZag |= (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return (zigZag >>> 1) ^ -(zigZag & 1);
        }
      }
    }

    /** An int written as a long varint; damaged bytes outside the int range are a CoderException. */
    int readInt() throws CoderException {
      long value = readLong();
      if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
        throw new CoderException("an int field holds " + value);
      }
      return (int) value;
    }

    double readDouble() throws CoderException {
      need(8);
      long bits = 0;
      for (int i = 0; i < 8; i++) {
        bits = (bits << 8) | (bytes[at++] & 0xFF);
      }
      return Double.longBitsToDouble(bits);
    }

    String readString() throws CoderException {
      long length = readUnsigned();
      need(length);
      String value = new String(bytes, at, (int) length, StandardCharsets.UTF_8);
      at += (int) length;
      return value;
    }

    String readOptional(int present, int flag) throws CoderException {
      return (present & flag) != 0 ? readString() : null;
    }

    void expectEnd() throws CoderException {
      if (at != bytes.length) {
        throw new CoderException((bytes.length - at) + " bytes left after a payment");
      }
    }

    private long readUnsigned() throws CoderException {
      long value = 0;
      for (int shift = 0; ; shift += 7) {
        if (shift > 28) {
          throw new CoderException("a string length is not a valid varint");
        }
        int b = readByte();
        value |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
    }

    private void need(long n) throws CoderException {
      if (n > bytes.length - at) {
        throw new CoderException("a payment's block ends " + (n - (bytes.length - at)) + " bytes early");
      }
    }
  }
}
