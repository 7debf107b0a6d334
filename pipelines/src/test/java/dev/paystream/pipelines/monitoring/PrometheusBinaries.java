package dev.paystream.pipelines.monitoring;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code prometheus} and {@code promtool} binaries (Debian's package, 2.42), and the repository's
 * {@code monitoring/} folder. A missing binary fails the test with the install command: these checks
 * must run in CI, never be skipped silently.
 */
public final class PrometheusBinaries {
  public static final Path MONITORING =
      Path.of(System.getProperty("paystream.monitoring", "../monitoring")).toAbsolutePath().normalize();
  public static final Path RULES = MONITORING.resolve("prometheus/alerts.yml");

  private static final String INSTALL = "apt-get update && apt-get install -y prometheus";

  private PrometheusBinaries() {}

  /** The binary {@code name} from PATH (or /usr/bin), failing the test with the install hint when absent. */
  static Path find(String name) {
    List<Path> candidates = new ArrayList<>();
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isBlank()) {
        candidates.add(Path.of(dir, name));
      }
    }
    candidates.add(Path.of("/usr/bin", name));
    for (Path candidate : candidates) {
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return fail(name + " is not installed; these checks need Prometheus 2.42+ and promtool: " + INSTALL);
  }

  /** Runs {@code command} in {@code dir}; returns its exit code and output (stdout and stderr). */
  static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return fail(command + " did not finish within 60 s");
    }
    return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }

  record Result(int exitCode, String output) {}
}
