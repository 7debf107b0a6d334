package dev.paystream.pipelines.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** The files of {@code runner-profiles/}, as the tests use them: the options files are the tested ones. */
final class RunnerProfiles {
  /** {@code runner-profiles/}; tests run in the {@code pipelines/} module directory. */
  static final Path DIR = Path.of(System.getProperty("paystream.runnerProfiles", "../runner-profiles")).toAbsolutePath().normalize();

  private RunnerProfiles() {}

  /**
   * The options file's {@code --option=value} lines, except those {@code overrides} sets, followed by
   * {@code overrides}: Beam rejects a (non-list) option given twice.
   */
  static List<String> args(String optionsFile, List<String> overrides) {
    return args(DIR, optionsFile, overrides);
  }

  /** {@link #args(String, List)} of another release's {@code runner-profiles/} directory. */
  static List<String> args(Path dir, String optionsFile, List<String> overrides) {
    java.util.Set<String> overridden =
        overrides.stream().map(RunnerProfiles::name).collect(Collectors.toSet());
    List<String> merged = new java.util.ArrayList<>();
    for (String arg : args(dir, optionsFile)) {
      if (!overridden.contains(name(arg))) {
        merged.add(arg);
      }
    }
    merged.addAll(overrides);
    return merged;
  }

  private static String name(String arg) {
    int eq = arg.indexOf('=');
    return eq < 0 ? arg : arg.substring(0, eq);
  }

  /**
   * {@code flink-embedded.options}, then the {@code added} options files (such as {@code
   * flink-embedded-metrics.options}), as {@code type}, for a job named {@code jobName} that is handed
   * back at once instead of blocking until it ends (a streaming job never ends by itself).
   */
  static <T extends PipelineOptions> T flinkEmbedded(Class<T> type, String jobName, String... added) {
    List<String> args = new java.util.ArrayList<>(args("flink-embedded.options"));
    for (String file : added) {
      args.addAll(args(file));
    }
    T options =
        PipelineOptionsFactory.fromArgs(args.toArray(String[]::new))
            .withValidation()
            .as(type);
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (flink.getRunner() != FlinkRunner.class || !"[local]".equals(flink.getFlinkMaster())) {
      throw new IllegalStateException("flink-embedded.options must run FlinkRunner on [local]");
    }
    flink.setAttachedMode(false);
    flink.setJobName(jobName);
    return options;
  }

  /** The value the options file gives {@code name} (e.g. {@code --parallelism}); fails if it sets none. */
  static String option(String optionsFile, String name) {
    return args(optionsFile).stream()
        .filter(arg -> arg.startsWith(name + "="))
        .map(arg -> arg.substring(name.length() + 1))
        .findFirst()
        .orElseThrow(() -> new AssertionError(optionsFile + " sets no " + name));
  }

  /** The {@code --option=value} lines of an options file, comments and blank lines left out. */
  static List<String> args(String optionsFile) {
    return args(DIR, optionsFile);
  }

  private static List<String> args(Path dir, String optionsFile) {
    try {
      return Files.readAllLines(dir.resolve(optionsFile)).stream()
          .map(String::strip)
          .filter(line -> !line.isEmpty() && !line.startsWith("#"))
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
