package dev.paystream.pipelines.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink session cluster started with {@code runner-profiles/flink-session-cluster.sh} (so the
 * test exercises the documented command), and the few REST calls the tests need.
 */
public final class SessionCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SessionCluster.class);
  private static final ObjectMapper JSON = FlinkRest.JSON;

  private final Path workDir;
  private final int restPort;
  private final int rpcPort;
  private final int slots;
  private final FlinkRest rest;

  private SessionCluster(Path workDir, int restPort, int rpcPort, int slots) {
    this.workDir = workDir;
    this.restPort = restPort;
    this.rpcPort = rpcPort;
    this.slots = slots;
    this.rest = new FlinkRest(restPort);
  }

  /**
   * A cluster the script was told to start elsewhere (a README command): its REST calls, and
   * {@link #close} cancels its jobs and stops it.
   */
  public static SessionCluster attach(Path workDir, int restPort) {
    // The RPC port and slots only matter to restart(), which is not for a cluster started elsewhere.
    return new SessionCluster(workDir, restPort, 0, 0);
  }

  FlinkRest rest() {
    return rest;
  }

  /** Starts a JobManager and a TaskManager with {@code slots} slots on free ports. */
  static SessionCluster start(Path workDir, int slots) throws IOException, InterruptedException {
    SessionCluster cluster = new SessionCluster(workDir, freePort(), freePort(), slots);
    try {
      cluster.startScript();
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** Starts the cluster again in the same work directory on the same ports (after a kill). */
  void restart() throws IOException, InterruptedException {
    startScript();
  }

  private void startScript() throws IOException, InterruptedException {
    // generous: on a loaded 2-core machine (load 30 to 50) a start took 221 s, a TaskManager over 2 min
    script(
        Duration.ofMinutes(8),
        "start",
        "--rest-port=" + restPort,
        "--rpc-port=" + rpcPort,
        "--slots=" + slots,
        "--work-dir=" + workDir);
  }

  /** {@code kill -9} of the TaskManager: no shutdown hook, no goodbye to the JobManager. */
  void killTaskManager() throws IOException {
    kill("taskmanager");
  }

  /**
   * {@code kill -9} of the JobManager, and of its TaskManager: without high availability the jobs
   * die with the JobManager, and only their retained checkpoints remain.
   */
  void killCluster() throws IOException {
    kill("jobmanager");
    kill("taskmanager");
  }

  /**
   * The newest completed checkpoint of {@code jobId} retained in the work directory (a
   * {@code chk-<n>} directory with its {@code _metadata}), to restore from like a savepoint.
   */
  Path latestRetainedCheckpoint(String jobId) throws IOException {
    try (var checkpoints = Files.list(workDir.resolve("checkpoints").resolve(jobId))) {
      return checkpoints
          .filter(dir -> dir.getFileName().toString().startsWith("chk-") && Files.exists(dir.resolve("_metadata")))
          .max(java.util.Comparator.comparingLong(dir -> Long.parseLong(dir.getFileName().toString().substring(4))))
          .orElseThrow(() -> new IllegalStateException("no retained checkpoint of job " + jobId));
    }
  }

  private void kill(String process) throws IOException {
    long pid = Long.parseLong(Files.readString(workDir.resolve("pids").resolve(process + ".pid")).strip());
    ProcessHandle handle =
        ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no " + process + " with pid " + pid));
    // destroyForcibly is SIGKILL on Linux
    handle.destroyForcibly();
    handle.onExit().join();
  }

  /** A fresh TaskManager for the running JobManager; returns once it registered. */
  void startTaskManager() throws IOException, InterruptedException {
    script(Duration.ofMinutes(8), "start-taskmanager", "--work-dir=" + workDir);
  }

  String master() {
    return "127.0.0.1:" + restPort;
  }

  Path workDir() {
    return workDir;
  }

  /** The id of the job called {@code name} once it is RUNNING with all its tasks deployed. */
  public String awaitRunningJob(String name, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (JsonNode job : get("/jobs/overview").path("jobs")) {
        if (name.equals(job.path("name").asText()) && "RUNNING".equals(job.path("state").asText())) {
          String id = job.path("jid").asText();
          JsonNode tasks = get("/jobs/" + id).path("status-counts");
          if (tasks.path("RUNNING").asInt() > 0 && tasks.path("DEPLOYING").asInt() == 0
              && tasks.path("INITIALIZING").asInt() == 0 && tasks.path("SCHEDULED").asInt() == 0) {
            return id;
          }
        }
      }
      Thread.sleep(200);
    }
    // The cluster's slots too: a job whose parallelism exceeds them waits with every task SCHEDULED.
    throw new IllegalStateException(
        "job " + name + " not running after " + timeout + ": " + get("/jobs/overview") + "; cluster: " + get("/overview"));
  }

  String jobState(String jobId) throws IOException, InterruptedException {
    return get("/jobs/" + jobId).path("state").asText();
  }

  /**
   * Stops the job with a savepoint ({@code POST /jobs/:id/stop}, no drain), waits for it, and
   * returns the savepoint's location.
   */
  String stopWithSavepoint(String jobId, Path targetDirectory, Duration timeout) throws IOException, InterruptedException {
    String body = JSON.writeValueAsString(Map.of("targetDirectory", targetDirectory.toUri().toString(), "drain", false));
    JsonNode trigger = send("POST", "/jobs/" + jobId + "/stop", body);
    return awaitSavepoint(jobId, trigger.path("request-id").asText(), timeout);
  }

  /** Waits for the savepoint operation {@code requestId} of the job; returns its location. */
  public String awaitSavepoint(String jobId, String requestId, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode status = get("/jobs/" + jobId + "/savepoints/" + requestId);
      if ("COMPLETED".equals(status.path("status").path("id").asText())) {
        JsonNode operation = status.path("operation");
        if (operation.has("failure-cause")) {
          throw new IllegalStateException("stop with savepoint failed: " + operation.path("failure-cause"));
        }
        return operation.path("location").asText();
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("no savepoint after " + timeout);
  }

  /** Waits until the job reached {@code state} (e.g. FINISHED after a stop with savepoint). */
  public void awaitJobState(String jobId, String state, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String seen = null;
    while (System.nanoTime() < deadline) {
      seen = jobState(jobId);
      if (state.equals(seen)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("job " + jobId + " is " + seen + ", not " + state + ", after " + timeout);
  }

  void cancel(String jobId) throws IOException, InterruptedException {
    send("PATCH", "/jobs/" + jobId + "?mode=cancel", null);
  }

  List<String> runningJobs() throws IOException, InterruptedException {
    return rest.activeJobs();
  }

  /** The tail of a process log of the cluster ({@code jobmanager} or {@code taskmanager}). */
  Optional<String> logTail(String process, int lines) {
    Path log = workDir.resolve("log").resolve(process + ".log");
    try {
      if (!Files.exists(log)) {
        return Optional.empty();
      }
      List<String> all = Files.readAllLines(log);
      return Optional.of(String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    try {
      for (String job : runningJobs()) {
        cancel(job);
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      LOG.warn("Could not cancel the cluster's jobs: {}", e.toString());
    }
    try {
      script(Duration.ofMinutes(1), "stop", "--work-dir=" + workDir);
    } catch (IOException | InterruptedException | RuntimeException e) {
      LOG.warn("Could not stop the session cluster in {}: {}", workDir, e.toString());
    }
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    return rest.get(path);
  }

  private JsonNode send(String method, String path, String body) throws IOException, InterruptedException {
    return rest.send(method, path, body);
  }

  private void script(Duration timeout, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add(RunnerProfiles.DIR.resolve("flink-session-cluster.sh").toString());
    command.addAll(List.of(args));
    Files.createDirectories(workDir);
    Path out = workDir.resolve("script-" + args[0] + ".out");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
    // The script's own wait for each process (90 s by default) was too short on a loaded machine:
    // it waits as long as this call does.
    builder.environment().putIfAbsent("FLINK_START_TIMEOUT_S", Long.toString(timeout.toSeconds()));
    Process process = builder.start();
    if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeout);
    }
    String output = Files.readString(out);
    LOG.info("{}:\n{}", String.join(" ", command), output.strip());
    if (process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed (" + process.exitValue() + "): " + output);
    }
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
