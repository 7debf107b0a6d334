package dev.paystream.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What serving metrics costs, from one run's Flink contenders with metrics off and on (each may
 * run several times, alternated, to even out a shared machine): the mean of each figure, and the
 * difference on against off. The target (issue 10) is under 5% apart.
 */
record MetricsCost(Figures off, Figures on) {
  static final String OFF = "flink embedded";
  static final String ON = "flink embedded, metrics on";
  static final double TARGET = 0.05;

  /** Means over the runs of one contender. */
  record Figures(int runs, double eventsPerSecond, double steadyEventsPerSecond, double cpuSecondsPerMillion) {
    static Optional<Figures> of(List<Map<String, Object>> results, String contender) {
      List<Map<String, Object>> runs = results.stream().filter(r -> contender.equals(r.get("contender"))).toList();
      if (runs.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(
          new Figures(runs.size(), mean(runs, "events_per_second"), mean(runs, "steady_events_per_second"), mean(runs, "cpu_seconds_per_million_events")));
    }

    private static double mean(List<Map<String, Object>> runs, String key) {
      return runs.stream().mapToDouble(r -> ((Number) r.get(key)).doubleValue()).average().orElseThrow();
    }
  }

  /** The comparison, when the run had both contenders. */
  static Optional<MetricsCost> of(List<Map<String, Object>> results) {
    return Figures.of(results, OFF).flatMap(off -> Figures.of(results, ON).map(on -> new MetricsCost(off, on)));
  }

  /** Throughput lost with metrics on (positive: on is slower). */
  double throughputCost() {
    return 1 - on.eventsPerSecond / off.eventsPerSecond;
  }

  /** Steady-state throughput lost with metrics on. */
  double steadyThroughputCost() {
    return 1 - on.steadyEventsPerSecond / off.steadyEventsPerSecond;
  }

  /** CPU per event added with metrics on. */
  double cpuCost() {
    return on.cpuSecondsPerMillion / off.cpuSecondsPerMillion - 1;
  }

  String verdict() {
    boolean met = throughputCost() < TARGET && cpuCost() < TARGET;
    return String.format(
        "Metrics on vs off (Flink, %d vs %d runs, means): events/s %+.1f%%, steady events/s %+.1f%%, CPU s per 1M events %+.1f%%; target < 5%% -> %s",
        on.runs, off.runs, -100 * throughputCost(), -100 * steadyThroughputCost(), 100 * cpuCost(), met ? "met" : "NOT met");
  }

  Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("off", off);
    map.put("on", on);
    map.put("throughput_cost", throughputCost());
    map.put("steady_throughput_cost", steadyThroughputCost());
    map.put("cpu_cost", cpuCost());
    map.put("verdict", verdict());
    return map;
  }
}
