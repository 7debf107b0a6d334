package dev.paystream.transforms.features;

import dev.paystream.schemas.GeoLocation;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * A customer's known devices (with the event time each was first seen), their latest located
 * payment and their home (mean place): what the new-device, geo-velocity and distance features need. Immutable, so a history's copy
 * shares it. Point in time: a device counts as known to a payment only if first seen at or before
 * it, and a speed is only computed from a located payment at or before it.
 */
final class DevicesAndPlaces {
  /** Devices remembered per customer; beyond, the one first seen longest ago is forgotten. */
  static final int MAX_DEVICES = 16;

  static final DevicesAndPlaces NONE = new DevicesAndPlaces(new String[0], new long[0], Long.MIN_VALUE, 0, 0, 0, 0, 0);

  private static final double EARTH_RADIUS_KM = 6371.0;

  private final String[] devices;
  private final long[] firstSeen;
  private final long locatedTime;
  private final double lat;
  private final double lng;
  // Home: the mean place of the customer's located payments (state layout 3).
  private final long homeCount;
  private final double homeLat;
  private final double homeLng;

  private DevicesAndPlaces(
      String[] devices, long[] firstSeen, long locatedTime, double lat, double lng, long homeCount, double homeLat, double homeLng) {
    this.devices = devices;
    this.firstSeen = firstSeen;
    this.locatedTime = locatedTime;
    this.lat = lat;
    this.lng = lng;
    this.homeCount = homeCount;
    this.homeLat = homeLat;
    this.homeLng = homeLng;
  }

  /**
   * Null without a device id (a v1 producer's payment) or before any device was seen; else whether
   * {@code deviceId} was never seen at or before {@code time}.
   */
  Boolean newDevice(String deviceId, long time) {
    if (deviceId == null || devices.length == 0) {
      return null;
    }
    for (int i = 0; i < devices.length; i++) {
      if (devices[i].equals(deviceId) && firstSeen[i] <= time) {
        return false;
      }
    }
    return true;
  }

  /**
   * Great-circle speed in km/h from the latest located payment at or before {@code time}; null
   * without a location on either side. Same-millisecond payments count as one second apart.
   */
  Double kmPerHour(GeoLocation location, long time) {
    Double km = kmFromPrevious(location, time);
    if (km == null) {
      return null;
    }
    double hours = Math.max(time - locatedTime, 1_000) / 3_600_000.0;
    return km / hours;
  }

  private Double kmFromPrevious(GeoLocation location, long time) {
    if (location == null || locatedTime == Long.MIN_VALUE || locatedTime > time) {
      return null;
    }
    return distanceKm(lat, lng, location.getLat(), location.getLng());
  }

  /**
   * Great-circle km from home, the mean place of the customer's earlier located payments; null
   * without a location or before the first located payment. Unlike the distance from the previous
   * payment, a customer back home after a fraudster's payment far away is not far from home. The
   * mean is over payments processed before this one, so a payment arriving out of order sees a home
   * that later payments moved by a fraction of their distance: habits, not exact history.
   */
  Double kmFromHome(GeoLocation location) {
    if (location == null || homeCount == 0) {
      return null;
    }
    return distanceKm(homeLat, homeLng, location.getLat(), location.getLng());
  }

  DevicesAndPlaces with(String deviceId, GeoLocation location, long time) {
    String[] newDevices = devices;
    long[] newFirstSeen = firstSeen;
    if (deviceId != null) {
      int at = Arrays.asList(devices).indexOf(deviceId);
      if (at >= 0) {
        newFirstSeen = firstSeen.clone();
        newFirstSeen[at] = Math.min(firstSeen[at], time);
      } else {
        newDevices = Arrays.copyOf(devices, devices.length + 1);
        newFirstSeen = Arrays.copyOf(firstSeen, firstSeen.length + 1);
        newDevices[devices.length] = deviceId;
        newFirstSeen[devices.length] = time;
        if (newDevices.length > MAX_DEVICES) {
          int oldest = 0;
          for (int i = 1; i < newFirstSeen.length; i++) {
            oldest = newFirstSeen[i] < newFirstSeen[oldest] ? i : oldest;
          }
          newDevices = remove(newDevices, oldest);
          newFirstSeen = remove(newFirstSeen, oldest);
        }
      }
    }
    boolean newer = location != null && time >= locatedTime;
    long count = location == null ? homeCount : homeCount + 1;
    return new DevicesAndPlaces(
        newDevices, newFirstSeen, newer ? time : locatedTime, newer ? location.getLat() : lat, newer ? location.getLng() : lng,
        count,
        location == null ? homeLat : homeLat + (location.getLat() - homeLat) / count,
        location == null ? homeLng : homeLng + (location.getLng() - homeLng) / count);
  }

  static double distanceKm(double lat1, double lng1, double lat2, double lng2) {
    double dLat = Math.toRadians(lat2 - lat1);
    double dLng = Math.toRadians(lng2 - lng1);
    double a = Math.pow(Math.sin(dLat / 2), 2)
        + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.pow(Math.sin(dLng / 2), 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  void encode(DataOutputStream out) throws IOException {
    out.writeInt(devices.length);
    for (int i = 0; i < devices.length; i++) {
      out.writeUTF(devices[i]);
      out.writeLong(firstSeen[i]);
    }
    out.writeLong(locatedTime);
    out.writeDouble(lat);
    out.writeDouble(lng);
  }

  static DevicesAndPlaces decode(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_DEVICES) {
      throw new IOException("corrupt state: " + n + " devices");
    }
    String[] devices = new String[n];
    long[] firstSeen = new long[n];
    for (int i = 0; i < n; i++) {
      devices[i] = in.readUTF();
      firstSeen[i] = in.readLong();
    }
    return new DevicesAndPlaces(devices, firstSeen, in.readLong(), in.readDouble(), in.readDouble(), 0, 0, 0);
  }

  /** Layout 3's addition after {@link #encode}: home. */
  void encodeHome(DataOutputStream out) throws IOException {
    out.writeLong(homeCount);
    out.writeDouble(homeLat);
    out.writeDouble(homeLng);
  }

  DevicesAndPlaces withHomeDecoded(DataInputStream in) throws IOException {
    return new DevicesAndPlaces(devices, firstSeen, locatedTime, lat, lng, in.readLong(), in.readDouble(), in.readDouble());
  }

  private static String[] remove(String[] array, int at) {
    String[] out = new String[array.length - 1];
    System.arraycopy(array, 0, out, 0, at);
    System.arraycopy(array, at + 1, out, at, array.length - at - 1);
    return out;
  }

  private static long[] remove(long[] array, int at) {
    long[] out = new long[array.length - 1];
    System.arraycopy(array, 0, out, 0, at);
    System.arraycopy(array, at + 1, out, at, array.length - at - 1);
    return out;
  }
}
