package dev.paystream.pipelines.readme;

import static dev.paystream.pipelines.readme.Command.SIGTERM_EXIT;
import static dev.paystream.pipelines.readme.ReadmeCommandsIT.bootstrap;
import static dev.paystream.pipelines.readme.ReadmeCommandsIT.command;
import static dev.paystream.pipelines.readme.ReadmeCommandsIT.commands;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.paystream.io.kafka.CommittedTopicReader;
import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.pipelines.KnownInput;
import dev.paystream.pipelines.flink.SessionCluster;
import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.FraudDecision;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's Flink commands ("On Flink"), run as written with its {@code JAR=} and {@code OPENS=}
 * variables set in the same shell: the README's broker replaced by the stack's, the topics and
 * groups of the run appended (or substituted where the command sets them), and the session cluster
 * on free ports. {@link ReadmeCommandsIT} checks which commands there are; this runs them.
 *
 * <p>The job jar command ({@code mvn -Pflink-runner package}) is not run again: this test runs in
 * the {@code -Pflink-runner} build, which has just built that jar; the README's {@code JAR=} must
 * name it. Without the profile there is no jar and the test is skipped.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ReadmeFlinkCommandsIT {
  private static final Path OUT = Path.of("target", "readme-flink-it").toAbsolutePath();
  private static final Duration STEP = Duration.ofMinutes(3);
  private static final Duration STOP = Duration.ofSeconds(60);
  private static final int RECORDS = 200;
  /** The README's address of Kafka and of the cluster's REST API, replaced by the test's. */
  private static final String README_REST = "127.0.0.1:8081";

  private static List<String> variables;

  @BeforeAll
  static void jobJar() throws Exception {
    String jar = System.getProperty("paystream.flink.jobJar");
    assumeTrue(jar != null && Files.isRegularFile(Path.of(jar)), "no job jar: run with -Pflink-runner");
    variables = commands("flinkVariables");
    String readmeJar = variables.stream().filter(v -> v.startsWith("JAR=")).findFirst().orElseThrow().substring(4);
    assertEquals(Path.of(jar).toAbsolutePath().normalize(), Readme.ROOT.resolve(readmeJar).normalize(),
        "the README's JAR= is the jar -Pflink-runner builds");
    Files.createDirectories(OUT);
  }

  /** Flink embedded: decides the payments exactly once (committed output), then stops on SIGTERM. */
  @Test
  void embeddedCommandDecidesExactlyOnceAndStopsOnSigterm(LocalStack stack) throws Exception {
    Run run = new Run(stack, "embedded" + System.nanoTime());
    String embedded = bootstrap(command("flinkEmbedded"), stack) + " " + run.options() + " --sinkGroupId=" + run.sinkGroup;
    try (Command job = Command.start(variables, embedded, OUT.resolve(run.name + ".log"))) {
      run.assertDecidedExactlyOnce();
      assertTrue(job.isAlive(), job::tail);
      assertEquals(SIGTERM_EXIT, job.stop(STOP), job::tail);
    }
  }

  /**
   * The session cluster script's start and status, the README's submission, its curl
   * stop-with-savepoint (a savepoint location comes back, the job finishes), and the script's stop.
   */
  @Test
  void sessionClusterCommandsSubmitAndStopWithSavepoint(LocalStack stack) throws Exception {
    Run run = new Run(stack, "cluster" + System.nanoTime());
    Path work = OUT.resolve(run.name);
    int restPort = SessionCluster.freePort();
    String script = command("flinkCluster").replace("[", "").replace("]", "");
    assertTrue(script.contains(" start --rest-port=8081 "), script);
    String start = script.replace("--rest-port=8081", "--rest-port=" + restPort)
        + " --rpc-port=" + SessionCluster.freePort() + " --work-dir=" + work;
    String scriptOnly = script.substring(0, script.indexOf(" start "));
    // The cluster is cancelled and stopped by close() whatever happens; stopped by the README's stop first.
    try (SessionCluster cluster = SessionCluster.attach(work, restPort);
        Command started = Command.start(start, work.resolve("start.log"))) {
      assertEquals(0, started.waitFor(Duration.ofMinutes(4)), started::tail);
      try (Command status = Command.start(scriptOnly + " status --work-dir=" + work, work.resolve("status.log"))) {
        assertEquals(0, status.waitFor(STOP), status::tail);
        assertTrue(status.output().contains("\"taskmanagers\":1"), status::tail);
      }

      // "change --flinkMaster in the options file or copy it": a copy pointing at this cluster.
      Path options = work.resolve("flink-cluster.options");
      String readmeOptions = "runner-profiles/flink-cluster.options";
      Files.writeString(options, Files.readString(Readme.ROOT.resolve(readmeOptions))
          .replace("--flinkMaster=" + README_REST, "--flinkMaster=127.0.0.1:" + restPort));
      String submit = bootstrap(command("flinkSubmit"), stack).replace(readmeOptions, options.toString())
          .replaceFirst("--sinkGroupId=\\S+", "--sinkGroupId=" + run.sinkGroup) + " " + run.options();
      assertTrue(submit.contains(options.toString()), submit);
      try (Command client = Command.start(variables, submit, work.resolve("submit.log"))) {
        assertEquals(0, client.waitFor(STEP), client::tail);
      }
      String jobId = cluster.awaitRunningJob(jobName(options), STEP);
      run.assertDecidedExactlyOnce();

      String stop = command("flinkStop").replace(README_REST, "127.0.0.1:" + restPort).replace("<jobId>", jobId)
          .replace("file:///tmp/paystream-savepoints", work.resolve("savepoints").toUri().toString());
      String requestId;
      try (Command curl = Command.start(stop, work.resolve("curl.log"))) {
        assertEquals(0, curl.waitFor(STOP), curl::tail);
        requestId = new ObjectMapper().readTree(curl.output()).path("request-id").asText();
        assertFalse(requestId.isEmpty(), curl::output);
      }
      String savepoint = cluster.awaitSavepoint(jobId, requestId, STEP);
      assertTrue(savepoint.startsWith("file:") && Files.isDirectory(Path.of(URI.create(savepoint))), savepoint);
      cluster.awaitJobState(jobId, "FINISHED", STEP);

      try (Command stopped = Command.start(scriptOnly + " stop --work-dir=" + work, work.resolve("stop.log"))) {
        assertEquals(0, stopped.waitFor(STOP), stopped::tail);
      }
      assertFalse(ReadmeCommandsIT.open(restPort), "the REST port is closed after stop");
    }
  }

  private static String jobName(Path options) throws Exception {
    return Files.readAllLines(options).stream().filter(l -> l.startsWith("--jobName=")).findFirst().orElseThrow()
        .substring("--jobName=".length());
  }

  /** A run's topics and groups, its payments sent before the job starts, and what it must commit. */
  private static final class Run {
    final String name;
    final String payments;
    final String decisions;
    final String deadLetters;
    final String consumerGroup;
    final String sinkGroup;
    final KafkaConnection kafka;
    final KnownInput input = KnownInput.generate(RECORDS);

    Run(LocalStack stack, String name) {
      this.name = name;
      payments = "payments-" + name;
      decisions = "fraud-decisions-" + name;
      deadLetters = "payments.dlq-" + name;
      consumerGroup = "fraud-" + name;
      sinkGroup = consumerGroup + "-sink";
      stack.createTopics(Map.of(payments, 4, decisions, 4, deadLetters, 1));
      kafka = KafkaConnection.to(stack.kafkaBootstrapServers());
      input.produce(kafka, payments, 0, RECORDS);
    }

    /** The per-run options appended to a README command (not the sink group: the submit command sets it). */
    String options() {
      return "--paymentsTopic=" + payments + " --decisionsTopic=" + decisions + " --deadLetterTopic=" + deadLetters
          + " --consumerGroup=" + consumerGroup;
    }

    /** Read read_committed: every valid payment decided once, every malformed one dead-lettered once. */
    void assertDecidedExactlyOnce() {
      try (CommittedTopicReader decided = new CommittedTopicReader(kafka, decisions);
          CommittedTopicReader rejected = new CommittedTopicReader(kafka, deadLetters)) {
        input.awaitCommittedOutput(decided, rejected, RECORDS, STEP);
        input.assertExactlyOnce(
            CommittedTopicReader.values(decided.drain(Duration.ofSeconds(5)), FraudDecision.getDecoder()),
            CommittedTopicReader.values(rejected.drain(Duration.ofMillis(1)), DeadLetter.getDecoder()),
            payments);
      }
    }
  }
}
