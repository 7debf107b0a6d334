package dev.paystream.bench;

import dev.paystream.pipelines.serve.QueryService;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The query service in a JVM of its own, started by its real main ({@link QueryService}) with its
 * real options, as it is deployed: a load client in the same JVM would share its heap, GC pauses and
 * JIT threads and tell little about a service that callers reach over the network.
 */
final class QueryServiceProcess implements AutoCloseable {
  private static final String LISTENING = "Query service listening on ";

  private final Process process;
  private final URI url;
  private final Path log;

  private QueryServiceProcess(Process process, URI url, Path log) {
    this.process = process;
    this.url = url;
    this.log = log;
  }

  /**
   * Starts {@code java <jvmOptions> -cp <this JVM's classpath> QueryService --port=0 <options>}
   * and returns once it prints the URL it listens on; its output goes to {@code log}.
   */
  static QueryServiceProcess start(List<String> jvmOptions, List<String> options, Path log, Duration timeout)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), QueryService.class.getName(), "--port=0"));
    command.addAll(options);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<URI> listening = new CompletableFuture<>();
    Thread copier = new Thread(() -> copyOutput(process, log, listening), "query-service-output");
    copier.setDaemon(true);
    copier.start();
    try {
      return new QueryServiceProcess(process, listening.get(timeout.toMillis(), TimeUnit.MILLISECONDS), log);
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw new IOException("The query service did not start within " + timeout + "; its output: " + log, e);
    }
  }

  /** Copies the service's output to {@code log}, completing {@code listening} with its URL. */
  private static void copyOutput(Process process, Path log, CompletableFuture<URI> listening) {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(log), true)) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        out.println(line);
        if (line.startsWith(LISTENING)) {
          listening.complete(URI.create(line.substring(LISTENING.length()).split(" ", 2)[0]));
        }
      }
      listening.completeExceptionally(new IOException("exited with " + process.waitFor()));
    } catch (IOException e) {
      listening.completeExceptionally(new UncheckedIOException(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  URI url() {
    return url;
  }

  Path log() {
    return log;
  }

  /** CPU time the service's JVM has used so far (user and system, every thread). */
  Duration cpuTime() {
    return process.info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** SIGTERM (the service closes its stores' clients, and a JFR recording is written), then waits. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
