package dev.paystream.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the figures were measured on, and how busy it was. */
final class Machine {
  /** Load average (1 min) above which a run's figures are suspect on this 2-core machine. */
  static final double BUSY_LOAD = 1.5;

  private Machine() {}

  static Map<String, Object> describe() throws IOException {
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        machine.put("memory_mib", Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024);
      }
    }
    for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
      if (line.startsWith("model name")) {
        machine.put("cpu", line.substring(line.indexOf(':') + 1).strip());
        break;
      }
    }
    machine.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    return machine;
  }

  /** The 1, 5 and 15 minute load averages. */
  static List<Double> loadAverage() throws IOException {
    return parseLoadAverage(Files.readString(Path.of("/proc/loadavg")));
  }

  static List<Double> parseLoadAverage(String loadavg) {
    String[] fields = loadavg.strip().split("\\s+");
    return List.of(Double.parseDouble(fields[0]), Double.parseDouble(fields[1]), Double.parseDouble(fields[2]));
  }
}
