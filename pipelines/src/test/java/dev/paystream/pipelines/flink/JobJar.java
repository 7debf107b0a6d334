package dev.paystream.pipelines.flink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The job jar built by {@code -Pflink-runner} (its path in {@code paystream.flink.jobJar}), submitted
 * the documented way: {@code java <JDK 17 flags> -jar <job jar> <args>}, detached.
 */
final class JobJar {
  private final Path jar;

  private JobJar(Path jar) {
    this.jar = jar;
  }

  /** The jar the build names, if it was built. */
  static java.util.Optional<JobJar> fromBuild() {
    String jar = System.getProperty("paystream.flink.jobJar");
    return jar != null && Files.isRegularFile(Path.of(jar))
        ? java.util.Optional.of(new JobJar(Path.of(jar)))
        : java.util.Optional.empty();
  }

  /** A job jar built elsewhere, e.g. by an earlier release's checkout. */
  static JobJar at(Path jar) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException("no job jar at " + jar);
    }
    return new JobJar(jar);
  }

  /** Runs the client with {@code args}; returns once it exits (the job keeps running), or fails. */
  void submit(List<String> args, Path log, Duration timeout) throws IOException, InterruptedException {
    run(List.of("-jar", jar.toString()), args, log, timeout);
  }

  /** {@link #submit} of another pipeline of the jar than its main class, e.g. the analytics. */
  void submit(Class<?> mainClass, List<String> args, Path log, Duration timeout) throws IOException, InterruptedException {
    run(List.of("-cp", jar.toString(), mainClass.getName()), args, log, timeout);
  }

  private void run(List<String> main, List<String> args, Path log, Duration timeout) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.addAll(jdk17Opens());
    command.addAll(main);
    command.addAll(args);
    Process client = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean exited = client.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
    if (!exited) {
      client.destroyForcibly();
    }
    if (!exited || client.exitValue() != 0) {
      throw new IllegalStateException("submission failed:\n" + tail(Files.readString(log), 60));
    }
  }

  /** The flags of env.java.opts.all in runner-profiles/flink-conf/config.yaml. */
  static List<String> jdk17Opens() throws IOException {
    for (String line : Files.readAllLines(RunnerProfiles.DIR.resolve("flink-conf/config.yaml"))) {
      if (line.startsWith("env.java.opts.all:")) {
        return List.of(line.substring("env.java.opts.all:".length()).strip().split("\\s+"));
      }
    }
    throw new IllegalStateException("no env.java.opts.all in flink-conf/config.yaml");
  }

  private static String tail(String text, int lines) {
    String[] all = text.split("\n");
    return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
  }
}
