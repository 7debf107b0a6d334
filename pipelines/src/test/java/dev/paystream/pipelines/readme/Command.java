package dev.paystream.pipelines.readme;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A README command run by {@code bash} from the checkout's root, in a process of its own, its
 * output in a file; {@link #close} kills it and its children whatever happened. The command is
 * {@code exec}'d, so the process is Maven's JVM itself and {@link #stop} signals the JVM that runs
 * the main.
 */
final class Command implements AutoCloseable {
  /** SIGTERM's exit code (128 + 15): a JVM that ran its shutdown hooks and stopped. */
  static final int SIGTERM_EXIT = 143;

  private final String command;
  private final Process process;
  private final Path output;

  private Command(String command, Process process, Path output) {
    this.command = command;
    this.process = process;
    this.output = output;
  }

  static Command start(String command, Path output) throws IOException {
    return start(List.of(), command, output);
  }

  /** {@link #start(String, Path)} after the {@code setup} commands (e.g. the README's variables), in the same shell. */
  static Command start(List<String> setup, String command, Path output) throws IOException {
    return start(Readme.ROOT, setup, command, output);
  }

  /** {@link #start(List, String, Path)} from {@code directory} instead of the checkout's root. */
  static Command start(Path directory, List<String> setup, String command, Path output) throws IOException {
    Files.createDirectories(output.getParent());
    List<String> script = new ArrayList<>(setup);
    script.add("exec " + command);
    Process process =
        new ProcessBuilder("bash", "-c", String.join("\n", script))
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    return new Command(command, process, output);
  }

  /** Waits for the process to end by itself within {@code timeout}; returns its exit code. */
  int waitFor(Duration timeout) throws InterruptedException {
    assertTrue(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS),
        () -> "still running after " + timeout + ": " + command + "\n" + tail());
    return process.exitValue();
  }

  /** Sends SIGTERM (what Ctrl-C and a service manager do) and waits for the exit code. */
  int stop(Duration timeout) throws InterruptedException {
    process.destroy();
    return waitFor(timeout);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String output() {
    try {
      return Files.readString(output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The end of the output, for failure messages. */
  String tail() {
    String all = output();
    return all.substring(Math.max(0, all.length() - 4_000));
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
