package dev.paystream.bench;

import java.util.List;
import java.util.Map;

/** The results table the benchmark prints. */
final class Table {
  private Table() {}

  static String format(List<Map<String, Object>> results) {
    StringBuilder out = new StringBuilder();
    out.append(String.format("%-28s %10s %10s %10s %7s %8s %8s %8s %8s %11s%n",
        "contender", "events", "events/s", "steady/s", "ratio", "p50 ms", "p95 ms", "p99 ms", "RSS MiB", "CPU s/M ev"));
    for (Map<String, Object> r : results) {
      Percentiles latency = (Percentiles) r.get("latency_ms");
      Object ratio = r.get("ratio_to_limit");
      out.append(String.format("%-28s %,10d %,10.0f %,10.0f %7s %8s %8s %8s %,8d %,11.0f%n",
          r.get("contender"), ((Number) r.get("events")).longValue(), ((Number) r.get("events_per_second")).doubleValue(),
          ((Number) r.get("steady_events_per_second")).doubleValue(),
          ratio == null ? "-" : String.format("%.3f", ((Number) ratio).doubleValue()),
          latency == null ? "-" : latency.p50(), latency == null ? "-" : latency.p95(), latency == null ? "-" : latency.p99(),
          ((Number) r.get("peak_rss_mib")).longValue(), ((Number) r.get("cpu_seconds_per_million_events")).doubleValue()));
    }
    return out.toString();
  }
}
