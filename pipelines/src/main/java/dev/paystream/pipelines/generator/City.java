package dev.paystream.pipelines.generator;

/** Where customers live; payments happen near home. */
enum City {
  TEHRAN(35.6892, 51.3890),
  MASHHAD(36.2605, 59.6168),
  ISFAHAN(32.6546, 51.6680),
  SHIRAZ(29.5918, 52.5837),
  TABRIZ(38.0962, 46.2738);

  final double lat;
  final double lng;

  City(double lat, double lng) {
    this.lat = lat;
    this.lng = lng;
  }
}
