package dev.paystream.pipelines.flink;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.kafka.CommittedTopicReader;
import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.pipelines.FraudDetectionPipeline;
import dev.paystream.pipelines.KnownInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How a fraud pipeline process ends, on each runner, started as the README and the options files
 * say ({@code java ... FraudDetectionPipeline $(grep -v '^#' runner-profiles/<runner>.options)
 * --bootstrapServers=...}) in a child JVM:
 *
 * <ul>
 *   <li>a deterministic fatal failure (the decisions topic does not exist, the broker does not
 *       create it: every send fails) makes the process exit non-zero within {@link #FATAL_BOUND},
 *       with the error on stderr. On Flink that needs the options file's bounded restart strategy:
 *       Flink's default with checkpointing is to restart for ever, and the process never exits;
 *   <li>SIGTERM stops it with 143, closing the sinks' transactional Kafka producers first (a
 *       producer killed inside a transaction would hold back every read_committed reader of the
 *       topic until the transaction times out).
 * </ul>
 *
 * <p>Four child JVMs, 2-6 min on 2 cores: not in the default run (pipelines/pom.xml excludes it),
 * run by name: {@code mvn -B -pl pipelines verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=PipelineExitIT -Dfailsafe.failIfNoSpecifiedTests=false}.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class PipelineExitIT {
  /** From start to the first failing send: JVM, runner and job start (minutes on a loaded machine). */
  private static final Duration START_BOUND = Duration.ofMinutes(8);
  /**
   * From the first failing send to exit: on Flink 1 + retries attempts, each a few seconds plus the
   * retry delay (about half a minute on an idle machine); generous for a loaded one.
   */
  private static final Duration FAILURE_TO_EXIT = Duration.ofMinutes(3);
  /** The producer's warning when it cannot find the topic it sends to. */
  private static final String MISSING_TOPIC = "UNKNOWN_TOPIC_OR_PARTITION";
  private static final int RECORDS = 200;
  private static final Path OUT = Path.of("target", "pipeline-exit-it").toAbsolutePath();
  /** Kafka's producer logs this at INFO when it is closed (the sinks' producers carry a transactional id). */
  private static final Pattern CLOSED_PRODUCER =
      Pattern.compile("transactionalId=([^\\]]+)\\] Closing the Kafka producer");
  private static final Pattern OPENED_PRODUCER =
      Pattern.compile("transactionalId=([^\\]]+)\\] Instantiated a transactional producer");

  @ParameterizedTest
  @ValueSource(strings = {"direct.options", "flink-embedded.options"})
  void aFatalFailureEndsTheProcessNonZeroWithTheError(String optionsFile, LocalStack stack) throws Exception {
    Run run = new Run(stack, "fatal", optionsFile);
    // The README's command as a user with a wrong topic name would type it; max.block.ms makes each
    // attempt fail in 3 s instead of Kafka's default 60 s.
    List<String> command = run.command("--decisionsTopic=no-such-topic-" + run.name, "--kafkaProperties=max.block.ms=3000");
    long start = System.nanoTime();
    Process job = run.start(command);
    try {
      await("the first failing send").atMost(START_BOUND).pollInterval(Duration.ofMillis(200))
          .until(() -> !job.isAlive() || Files.readString(run.stderr).contains(MISSING_TOPIC));
      long failed = System.nanoTime();
      assertTrue(job.waitFor(FAILURE_TO_EXIT.toMillis(), TimeUnit.MILLISECONDS),
          () -> optionsFile + ": still running " + FAILURE_TO_EXIT + " after the first failure\n" + run.tail(run.stderr));
      String stderr = Files.readString(run.stderr);
      System.out.printf("%s: exit %d %d ms after the start, %d ms after the first failing send%n",
          optionsFile, job.exitValue(), (System.nanoTime() - start) / 1_000_000, (System.nanoTime() - failed) / 1_000_000);
      assertNotEquals(0, job.exitValue(), () -> run.tail(run.stderr));
      assertTrue(stderr.contains("FraudDetectionPipeline failed, exiting with 1"), () -> run.tail(run.stderr));
      assertTrue(stderr.contains("no-such-topic-" + run.name), "the cause is on stderr");
      if (optionsFile.startsWith("flink")) {
        // Bounded, not absent: the job was restarted as often as the options file allows, then given up.
        int retries = Integer.parseInt(run.option("--numberOfExecutionRetries"));
        assertTrue(retries > 0, "a transient failure still gets a restart");
        assertEquals(retries, count(stderr, "switched from state RUNNING to RESTARTING"), () -> run.tail(run.stderr));
      }
    } finally {
      job.destroyForcibly().waitFor();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"direct.options", "flink-embedded.options"})
  void sigtermStopsWith143AndClosesTheProducers(String optionsFile, LocalStack stack) throws Exception {
    Run run = new Run(stack, "sigterm", optionsFile);
    Process job = run.start(run.command());
    try (CommittedTopicReader decisions = new CommittedTopicReader(run.kafka, run.decisions)) {
      // Running and deciding: its transactional producers are open.
      assertTrue(!decisions.readUntil(r -> !r.isEmpty(), START_BOUND).isEmpty(), () -> run.tail(run.stderr));
      assertTrue(job.isAlive(), () -> run.tail(run.stderr));
      // What is logged from here on is the stop (the start fences predecessors: it closes producers too).
      long before = Files.size(run.stderr);
      job.destroy();
      assertTrue(job.waitFor(60, TimeUnit.SECONDS), () -> run.tail(run.stderr));
      assertEquals(143, job.exitValue(), () -> run.tail(run.stderr));
      String stderr = Files.readString(run.stderr);
      assertTrue(!stderr.contains("failed, exiting with"), () -> run.tail(run.stderr));
      // Every transactional producer open at the stop was closed on the way out: the decisions
      // sink's (it had committed), and the dead-letter sink's if it had opened one by then (a
      // sink opens its producer with its first batch, which may come after the first decisions).
      Set<String> opened = openProducers(stderr.substring(0, (int) Math.min(before, stderr.length())));
      List<String> closed = ids(CLOSED_PRODUCER, stderr.substring((int) Math.min(before, stderr.length())));
      assertTrue(opened.stream().anyMatch(id -> id.startsWith("paystream-" + run.sinkGroup + "-decisions-")),
          () -> "decision producers opened before SIGTERM: " + opened + "\n" + run.tail(run.stderr));
      for (String id : opened) {
        assertTrue(closed.contains(id), () -> id + " not closed after SIGTERM; closed: " + closed + "\n" + run.tail(run.stderr));
      }
    } finally {
      job.destroyForcibly().waitFor();
    }
  }

  /** The transactional producers a log leaves open: instantiated and not closed since (fencing at start closes some). */
  private static Set<String> openProducers(String log) {
    Set<String> open = new LinkedHashSet<>();
    Matcher opened = OPENED_PRODUCER.matcher(log);
    Matcher closed = CLOSED_PRODUCER.matcher(log);
    boolean nextOpen = opened.find();
    boolean nextClose = closed.find();
    while (nextOpen || nextClose) {
      if (nextOpen && (!nextClose || opened.start() < closed.start())) {
        open.add(opened.group(1));
        nextOpen = opened.find();
      } else {
        open.remove(closed.group(1));
        nextClose = closed.find();
      }
    }
    return open;
  }

  private static List<String> ids(Pattern pattern, String log) {
    List<String> ids = new ArrayList<>();
    Matcher matcher = pattern.matcher(log);
    while (matcher.find()) {
      ids.add(matcher.group(1));
    }
    return ids;
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
      n++;
    }
    return n;
  }

  /** A run's topics, groups and input, and the child JVM's command and logs. */
  private static final class Run {
    final String name;
    final String optionsFile;
    final String payments;
    final String decisions;
    final String deadLetters;
    final String sinkGroup;
    final KafkaConnection kafka;
    final Path stdout;
    final Path stderr;
    private final LocalStack stack;

    Run(LocalStack stack, String what, String optionsFile) throws IOException {
      this.stack = stack;
      this.optionsFile = optionsFile;
      name = what + "-" + optionsFile.replace(".options", "") + "-" + System.nanoTime();
      payments = "payments-" + name;
      decisions = "fraud-decisions-" + name;
      deadLetters = "payments.dlq-" + name;
      sinkGroup = "sink-" + name;
      stack.createTopics(Map.of(payments, 2, decisions, 2, deadLetters, 1));
      kafka = KafkaConnection.to(stack.kafkaBootstrapServers());
      KnownInput.generate(RECORDS).produce(kafka, payments, 0, RECORDS);
      Files.createDirectories(OUT);
      stdout = OUT.resolve(name + ".out");
      stderr = OUT.resolve(name + ".err");
    }

    /** The options file's value of {@code option}. */
    String option(String option) {
      return RunnerProfiles.args(optionsFile).stream()
          .filter(a -> a.startsWith(option + "="))
          .map(a -> a.substring(option.length() + 1))
          .findFirst()
          .orElseThrow(() -> new AssertionError(optionsFile + " sets no " + option));
    }

    /** The documented command line, with this run's settings (and {@code overrides}) after the file's. */
    List<String> command(String... overrides) throws IOException {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx768m");
      // Kafka's clients log at WARN in the tests; the producer's close line is at INFO.
      command.add("-Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients.producer.KafkaProducer=info");
      if (optionsFile.startsWith("flink")) {
        command.addAll(JobJar.jdk17Opens()); // the README's $JDK17_OPENS
      }
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), FraudDetectionPipeline.class.getName()));
      List<String> own = new ArrayList<>(List.of(
          "--bootstrapServers=" + stack.kafkaBootstrapServers(),
          "--paymentsTopic=" + payments,
          "--decisionsTopic=" + decisions,
          "--deadLetterTopic=" + deadLetters,
          "--consumerGroup=group-" + name,
          "--sinkGroupId=" + sinkGroup));
      for (String override : overrides) {
        own.removeIf(o -> o.startsWith(override.substring(0, override.indexOf('=') + 1)));
        own.add(override);
      }
      // As "$(grep -v '^#' <file>) <own options>" does; a list option (--kafkaProperties) adds up.
      command.addAll(RunnerProfiles.args(optionsFile));
      command.addAll(own);
      return command;
    }

    Process start(List<String> command) throws IOException {
      return new ProcessBuilder(command)
          .redirectOutput(stdout.toFile())
          .redirectError(stderr.toFile())
          .start();
    }

    String tail(Path log) {
      try {
        String all = Files.readString(log);
        return all.substring(Math.max(0, all.length() - 4_000));
      } catch (IOException e) {
        return e.toString();
      }
    }
  }
}
