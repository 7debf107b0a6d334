package dev.paystream.transforms.features;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * The merchants a customer paid at, with the event time each was first and last seen: what the
 * new-merchant feature needs. Immutable, so a history's copy shares it. Point in time: a merchant
 * counts as known to a payment only if first seen before it.
 */
final class KnownMerchants {
  /**
   * Merchants remembered per customer; beyond, the one seen least recently is forgotten, so the
   * merchants a customer keeps returning to stay known.
   */
  static final int MAX_MERCHANTS = 32;

  static final KnownMerchants NONE = new KnownMerchants(new String[0], new long[0], new long[0]);

  private final String[] merchants;
  private final long[] firstSeen;
  private final long[] lastSeen;

  private KnownMerchants(String[] merchants, long[] firstSeen, long[] lastSeen) {
    this.merchants = merchants;
    this.firstSeen = firstSeen;
    this.lastSeen = lastSeen;
  }

  /**
   * Null without a merchant id or before the customer's first payment; else whether the customer
   * paid at {@code merchantId} before {@code time}.
   */
  Boolean newMerchant(String merchantId, long time) {
    if (merchantId == null || merchants.length == 0) {
      return null;
    }
    int at = indexOf(merchantId);
    return at < 0 || firstSeen[at] >= time;
  }

  KnownMerchants with(String merchantId, long time) {
    if (merchantId == null) {
      return this;
    }
    int at = indexOf(merchantId);
    if (at >= 0) {
      long[] first = firstSeen.clone();
      long[] last = lastSeen.clone();
      first[at] = Math.min(first[at], time);
      last[at] = Math.max(last[at], time);
      return new KnownMerchants(merchants, first, last);
    }
    String[] names = Arrays.copyOf(merchants, merchants.length + 1);
    long[] first = Arrays.copyOf(firstSeen, firstSeen.length + 1);
    long[] last = Arrays.copyOf(lastSeen, lastSeen.length + 1);
    names[merchants.length] = merchantId;
    first[merchants.length] = time;
    last[merchants.length] = time;
    KnownMerchants grown = new KnownMerchants(names, first, last);
    return names.length > MAX_MERCHANTS ? grown.without(grown.leastRecentlySeen()) : grown;
  }

  int size() {
    return merchants.length;
  }

  private int indexOf(String merchantId) {
    for (int i = 0; i < merchants.length; i++) {
      if (merchants[i].equals(merchantId)) {
        return i;
      }
    }
    return -1;
  }

  private int leastRecentlySeen() {
    int oldest = 0;
    for (int i = 1; i < lastSeen.length; i++) {
      oldest = lastSeen[i] < lastSeen[oldest] ? i : oldest;
    }
    return oldest;
  }

  private KnownMerchants without(int at) {
    String[] names = new String[merchants.length - 1];
    long[] first = new long[names.length];
    long[] last = new long[names.length];
    for (int i = 0, j = 0; i < merchants.length; i++) {
      if (i != at) {
        names[j] = merchants[i];
        first[j] = firstSeen[i];
        last[j++] = lastSeen[i];
      }
    }
    return new KnownMerchants(names, first, last);
  }

  void encode(DataOutputStream out) throws IOException {
    out.writeInt(merchants.length);
    for (int i = 0; i < merchants.length; i++) {
      out.writeUTF(merchants[i]);
      out.writeLong(firstSeen[i]);
      out.writeLong(lastSeen[i]);
    }
  }

  static KnownMerchants decode(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_MERCHANTS) {
      throw new IOException("corrupt state: " + n + " merchants");
    }
    String[] names = new String[n];
    long[] first = new long[n];
    long[] last = new long[n];
    for (int i = 0; i < n; i++) {
      names[i] = in.readUTF();
      first[i] = in.readLong();
      last[i] = in.readLong();
    }
    return new KnownMerchants(names, first, last);
  }
}
