package dev.paystream.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A {@code runner-profiles/*.options} file: one {@code --option=value} per line, lines starting
 * with {@code #} are comments. The benchmark runs the pipeline with the file's options, so it
 * measures what users run, plus only what is benchmark-specific.
 */
final class OptionsFile {
  private OptionsFile() {}

  /** The file's {@code --option=value} lines, comments and blank lines left out, in order. */
  static List<String> read(Path file) throws IOException {
    return parse(Files.readAllLines(file));
  }

  static List<String> parse(List<String> lines) {
    return lines.stream().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).collect(Collectors.toList());
  }

  /**
   * {@code base} without the options {@code overrides} sets, followed by {@code overrides}: Beam
   * rejects a (non-list) option given twice, so an override replaces the file's line.
   */
  static List<String> merge(List<String> base, List<String> overrides) {
    Set<String> overridden = overrides.stream().map(OptionsFile::name).collect(Collectors.toSet());
    List<String> merged = new ArrayList<>();
    for (String arg : base) {
      if (!overridden.contains(name(arg))) {
        merged.add(arg);
      }
    }
    merged.addAll(overrides);
    return merged;
  }

  /** The value of {@code --name=value} in {@code args}, the last one if given twice. */
  static Optional<String> value(List<String> args, String name) {
    String prefix = "--" + name + "=";
    String found = null;
    for (String arg : args) {
      if (arg.startsWith(prefix)) {
        found = arg.substring(prefix.length());
      }
    }
    return Optional.ofNullable(found);
  }

  /** {@code --name} of {@code --name=value}. */
  static String name(String arg) {
    int eq = arg.indexOf('=');
    return eq < 0 ? arg : arg.substring(0, eq);
  }
}
