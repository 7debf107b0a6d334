package dev.paystream.pipelines;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A pipeline main in a child JVM with this test's classpath, its output (stdout and stderr) in a log file. */
final class PipelineProcess {
  private PipelineProcess() {}

  /**
   * Starts {@code main} with {@code jvmArgs} (e.g. {@code -Dkey=value}) and {@code args}; {@code
   * destroy()} sends SIGTERM, {@code destroyForcibly()} kill -9.
   */
  static Process start(Class<?> main, List<String> jvmArgs, List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx768m");
    command.addAll(jvmArgs);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(args);
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
