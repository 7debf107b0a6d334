package dev.paystream.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Two Flink contenders of one run compared, a baseline and a variant (each may run several times,
 * alternated, to even out a shared machine): the mean of each figure, and the variant's difference.
 * {@link #metrics}: what serving metrics costs (issue 10's target: under 5% apart). The {@link
 * #OPTION_PAIRS}, each the Flink contender with one option set either way whatever the options file
 * says (issue 16): Beam's {@code --fasterCopy} (no copy between chained operators and of heap state)
 * against the copying default it replaced; the compact payment coder on the customer-keyed
 * shuffles against the Avro one it replaced; the prototype that fuses dedup and the customer
 * features into one keyed step against the two steps.
 */
record SameRunComparison(String what, String key, Double target, Figures base, Figures variant) {
  static final String FLINK = "flink embedded";
  static final String METRICS_ON = "flink embedded, metrics on";
  static final double METRICS_TARGET = 0.05;

  /** A Flink contender that adds one option to the options file's: {@code --contenders=<name>}. */
  record FlinkVariant(String contender, String option) {
    /** How the report names it. */
    String label() {
      return FLINK + ", " + option;
    }
  }

  /** Two variants of one option, compared when a run has both: the baseline first. */
  record OptionPair(String what, String key, FlinkVariant base, FlinkVariant variant) {}

  static final List<OptionPair> OPTION_PAIRS = List.of(
      new OptionPair("--fasterCopy=true vs false", "faster_copy",
          new FlinkVariant("flink-copying", "--fasterCopy=false"), new FlinkVariant("flink-fastercopy", "--fasterCopy=true")),
      new OptionPair("--paymentCoder=COMPACT vs AVRO", "payment_coder",
          new FlinkVariant("flink-avropayments", "--paymentCoder=AVRO"),
          new FlinkVariant("flink-compactpayments", "--paymentCoder=COMPACT")),
      new OptionPair("--fuseCustomerSteps=true vs false", "fused_customer_steps",
          new FlinkVariant("flink-twocustomersteps", "--fuseCustomerSteps=false"),
          new FlinkVariant("flink-fusedcustomersteps", "--fuseCustomerSteps=true")));

  /** The variant a contender name stands for, if it is one. */
  static Optional<FlinkVariant> variant(String contender) {
    return OPTION_PAIRS.stream()
        .flatMap(pair -> Stream.of(pair.base(), pair.variant()))
        .filter(v -> v.contender().equals(contender))
        .findFirst();
  }

  /** Whether a result is the Flink throughput run, as the options file has it or with one option changed. */
  static boolean isFlinkThroughput(String label) {
    return label.equals(FLINK)
        || OPTION_PAIRS.stream().anyMatch(pair -> label.equals(pair.base().label()) || label.equals(pair.variant().label()));
  }

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

  /** Metrics on vs off, when the run had both contenders. */
  static Optional<SameRunComparison> metrics(List<Map<String, Object>> results) {
    return of(results, "Metrics on vs off", "metrics_cost", METRICS_TARGET, FLINK, METRICS_ON);
  }

  /** Every comparison the run's contenders allow: metrics, then each option pair. */
  static List<SameRunComparison> all(List<Map<String, Object>> results) {
    List<SameRunComparison> all = new ArrayList<>();
    metrics(results).ifPresent(all::add);
    for (OptionPair pair : OPTION_PAIRS) {
      of(results, pair.what(), pair.key(), null, pair.base().label(), pair.variant().label()).ifPresent(all::add);
    }
    return all;
  }

  private static Optional<SameRunComparison> of(
      List<Map<String, Object>> results, String what, String key, Double target, String base, String variant) {
    return Figures.of(results, base)
        .flatMap(b -> Figures.of(results, variant).map(v -> new SameRunComparison(what, key, target, b, v)));
  }

  /** Throughput lost in the variant (positive: the variant is slower). */
  double throughputCost() {
    return 1 - variant.eventsPerSecond / base.eventsPerSecond;
  }

  /** Steady-state throughput lost in the variant. */
  double steadyThroughputCost() {
    return 1 - variant.steadyEventsPerSecond / base.steadyEventsPerSecond;
  }

  /** CPU per event added in the variant. */
  double cpuCost() {
    return variant.cpuSecondsPerMillion / base.cpuSecondsPerMillion - 1;
  }

  String verdict() {
    String figures = String.format(
        "%s (Flink, %d vs %d runs, means): events/s %+.1f%%, steady events/s %+.1f%%, CPU s per 1M events %+.1f%%",
        what, variant.runs, base.runs, -100 * throughputCost(), -100 * steadyThroughputCost(), 100 * cpuCost());
    if (target == null) {
      return figures;
    }
    boolean met = throughputCost() < target && cpuCost() < target;
    return String.format("%s; target < %.0f%% -> %s", figures, 100 * target, met ? "met" : "NOT met");
  }

  Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("base", base);
    map.put("variant", variant);
    map.put("throughput_cost", throughputCost());
    map.put("steady_throughput_cost", steadyThroughputCost());
    map.put("cpu_cost", cpuCost());
    map.put("verdict", verdict());
    return map;
  }
}
