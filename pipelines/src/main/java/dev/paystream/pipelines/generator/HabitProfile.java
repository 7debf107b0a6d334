package dev.paystream.pipelines.generator;

/**
 * The UTC hours a customer pays at. Together the profiles cover every hour, so someone can pay at
 * any time of day; each hour lies, with the hours either side of it, outside at least one profile,
 * so every hour is an odd hour for somebody; and neighbouring profiles overlap by an hour, so at every hour boundary someone pays on
 * both sides of it (a burst may straddle one without leaving its customer's habits).
 */
enum HabitProfile {
  DAYTIME(7, 19),
  EVENING(15, 24),
  NIGHT(22, 8);

  private final int fromHour;
  private final int untilHour;

  /** Pays at hours in [fromHour, untilHour), wrapping past midnight when untilHour is smaller. */
  HabitProfile(int fromHour, int untilHour) {
    this.fromHour = fromHour;
    this.untilHour = untilHour;
  }

  boolean paysAt(int hour) {
    return fromHour < untilHour
        ? hour >= fromHour && hour < untilHour
        : hour >= fromHour || hour < untilHour;
  }

  /** Pays at {@code hour} or at an hour next to it. */
  boolean paysWithinAnHourOf(int hour) {
    return paysAt((hour + 23) % 24) || paysAt(hour) || paysAt((hour + 1) % 24);
  }
}
