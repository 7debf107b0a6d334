package dev.paystream.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory (now and peak) and CPU time of a running process, read from Linux's /proc. */
record ProcessStats(long peakRssBytes, long rssBytes, double cpuSeconds) {
  /** Linux reports CPU time in clock ticks of 1/100 s on every architecture we run on. */
  private static final double TICKS_PER_SECOND = 100.0;

  static ProcessStats of(long pid) throws IOException {
    long peakKb = 0;
    long rssKb = 0;
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmHWM:")) {
        peakKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
      } else if (line.startsWith("VmRSS:")) {
        rssKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // Fields after the command name, which is in parentheses and may contain spaces.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return new ProcessStats(peakKb * 1024, rssKb * 1024, ticks / TICKS_PER_SECOND);
  }
}
