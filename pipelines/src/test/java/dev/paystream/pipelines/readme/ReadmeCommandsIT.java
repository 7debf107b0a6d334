package dev.paystream.pipelines.readme;

import static dev.paystream.pipelines.readme.Command.SIGTERM_EXIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.kafka.CommittedTopicReader;
import dev.paystream.io.kafka.KafkaConnection;
import dev.paystream.io.localstack.LocalStack;
import dev.paystream.io.localstack.LocalStackExtension;
import dev.paystream.pipelines.KnownInput;
import dev.paystream.schemas.FraudDecision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Protocol;

/**
 * Every command block of README.md, checked. {@link #everyReadmeCommandIsChecked} fails when the
 * README has a command no check claims, so a new command cannot slip in unchecked. The others run
 * what the README says, from the checkout's root, against the local stack: the Maven commands as
 * child processes (Maven's JVM, so {@code -Dexec.mainClass} is resolved exactly as for a reader),
 * with the README's addresses replaced by the stack's and sizes made small; the SQL through JDBC,
 * redis-cli through Jedis.
 *
 * <p>The Flink embedded, session-cluster, submission and savepoint {@code curl} commands need the
 * {@code -Pflink-runner} job jar: {@link ReadmeFlinkCommandsIT} runs them in that build ({@code
 * .ci/run}'s last step); here they are checked for consistency. Not executed, checked only: {@code
 * mvn install} (CI's {@code mvn install} has just done it, and a nested one would overwrite the
 * artifacts under test); {@code bash .ci/run} (it runs this test); the job jar's {@code mvn
 * package} (the {@code -Pflink-runner} build that runs ReadmeFlinkCommandsIT builds that jar); the
 * benchmark's full runs (8 minutes and more; its quick run is run, from a copy of the sources). Docker commands are inline text, checked by {@code DockerComposeTest}.
 *
 * <p>Needs the modules installed in the local Maven repository ({@code .ci/run} runs {@code mvn
 * install}, which installs io, transforms and schemas before this module's tests run).
 */
@ExtendWith(LocalStackExtension.class)
class ReadmeCommandsIT {
  /** Maven's start-up on a loaded 2-core machine, before the main runs. */
  private static final Duration MAVEN = Duration.ofSeconds(90);
  private static final Duration STOP = Duration.ofSeconds(30);
  private static final Path OUT = Path.of("target", "readme-it");

  private static final String ANALYTICS =
      "mvn -B -q -pl pipelines exec:java -Dexec.mainClass=dev.paystream.pipelines.AnalyticsPipeline ";
  private static final String BACKFILL = " --backfill=true ";

  /** What claims each README command: each command must be claimed by exactly one check. */
  private static final Map<String, Predicate<String>> CHECKS = new LinkedHashMap<>();

  static {
    claim("install", "mvn -B -q install -DskipTests");
    claim("demo", "mvn -B -q install -DskipTests && mvn -B -q -pl pipelines exec:java");
    claim("ci", "bash .ci/run");
    claim("fraud", "mvn -B -q -pl pipelines exec:java -Dexec.mainClass=dev.paystream.pipelines.FraudDetectionPipeline ");
    claim("generator", "mvn -B -q -pl pipelines exec:java -Dexec.mainClass=dev.paystream.pipelines.generator.GeneratePayments ");
    claim("localStack", "mvn -B -q install -DskipTests && mvn -B -q -pl io exec:java ");
    // The streaming command (also the backfill section's takeover step) and the backfill command.
    CHECKS.put("analytics", command -> command.startsWith(ANALYTICS) && !command.contains(BACKFILL));
    CHECKS.put("analyticsBackfill", command -> command.startsWith(ANALYTICS) && command.contains(BACKFILL));
    claim("redis", "redis-cli ");
    claim("flinkJar", "mvn -B -Pflink-runner -pl pipelines -am package -DskipTests");
    claim("flinkVariables", "JAR=", "OPENS=");
    claim("flinkEmbedded", "java $OPENS -cp $JAR dev.paystream.pipelines.FraudDetectionPipeline ");
    claim("flinkCluster", "runner-profiles/flink-session-cluster.sh ");
    claim("flinkSubmit", "java $OPENS -jar $JAR ");
    claim("flinkStop", "curl ");
    claim("bench", "bash bench/run.sh", "bash bench/run.sh ");
  }

  /** What picks out each README SQL statement; each statement must be picked by exactly one, and is run. */
  private static final List<String> SQL = List.of(
      "dimension = 'MERCHANT' ORDER BY", "'MERCHANT_CATEGORY'", "FROM customer_latest_features", "FROM fraud_decisions");

  /** The customer the README's SQL and redis-cli examples look up. */
  private static final String README_CUSTOMER = "cust_000042";

  private static Readme readme;

  @BeforeAll
  static void createOutputDirectory() throws IOException {
    Files.createDirectories(OUT);
  }

  /** The README, read once (also for {@link ReadmeFlinkCommandsIT}, through {@link #command}). */
  static synchronized Readme readme() {
    if (readme == null) {
      try {
        readme = Readme.read();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return readme;
  }

  @Test
  void everyReadmeCommandIsChecked() throws Exception {
    Map<String, List<String>> claimed = new LinkedHashMap<>();
    for (String command : readme().bashCommands()) {
      List<String> by = CHECKS.entrySet().stream()
          .filter(check -> check.getValue().test(command)).map(Map.Entry::getKey).collect(Collectors.toList());
      assertEquals(1, by.size(), () -> "README command claimed by " + by + " (add a check for it): " + command);
      claimed.computeIfAbsent(by.get(0), k -> new ArrayList<>()).add(command);
      // Each one is at least valid bash.
      Process syntax = new ProcessBuilder("bash", "-n", "-c", command).redirectErrorStream(true).start();
      assertEquals(0, syntax.waitFor(), () -> "bash syntax: " + command);
    }
    assertEquals(CHECKS.keySet(), claimed.keySet(), "checks without a README command (remove them)");
    List<String> statements = readme().sqlStatements();
    assertEquals(SQL.size(), statements.size(), () -> "README SQL statements (add a check for a new one): " + statements);
    for (String key : SQL) {
      assertEquals(1, statements.stream().filter(s -> s.contains(key)).count(), key);
    }
  }

  @Test
  void ciRunIsTheReadmesTestCommand() throws IOException {
    // Not executed (it runs this test). The README describes it: Prometheus installed if missing,
    // mvn install, then in one -Pflink-runner build the process-exit ITs (kill -9 restart, fatal
    // failure, SIGTERM), the session-cluster ITs (plain and secured), the README's Flink commands
    // and the short fault-injection suite, one JVM at a time.
    List<String> ciCommands = shellCommands(Files.readString(Readme.ROOT.resolve(".ci/run")));
    assertEquals(3, ciCommands.size(), ciCommands::toString);
    assertTrue(ciCommands.get(0).startsWith("command -v promtool ") && ciCommands.get(0).contains("apt-get install -y -qq prometheus"),
        ciCommands.get(0));
    assertEquals("mvn -B install", ciCommands.get(1));
    assertTrue(ciCommands.get(2).startsWith("mvn -B -Pflink-runner -pl pipelines -am verify ")
        && ciCommands.get(2).contains(
            "-Dit.test='RestartAfterKillIT,PipelineExitIT,FlinkSessionClusterIT,FlinkSessionSecuredIT,ReadmeFlinkCommandsIT,ChaosSuite'")
        && ciCommands.get(2).contains("-Dpaystream.chaos=short -Dit.forkCount=1"),
        ciCommands.get(2));
    String testBlock = readme().blocks("bash").stream().filter(b -> b.contains("bash .ci/run")).findFirst().orElseThrow();
    assertTrue(testBlock.contains("`mvn -B install`"), "the README names .ci/run's first command");
    assertTrue(testBlock.contains("kill -9"), "the README names the restart step");
    assertTrue(testBlock.contains("(-Pflink-runner)"), "the README names the session-cluster step");
    assertTrue(testBlock.contains("fault-injection"), "the README names the fault-injection step");
    assertTrue(testBlock.contains("prometheus"), "the README names the package it installs");
  }

  @Test
  void localStackLauncherOpensItsPortsAndStopsOnSigterm() throws Exception {
    String readmeCommand = afterInstall(command("localStack"));
    // Free ports instead of 9092/5432/6379 (other runs on this machine may hold them), and a data
    // directory under target/.
    String command = withExecArgs(readmeCommand, "--kafkaPort=0 --postgresPort=0 --redisPort=0 --dataDir=" + OUT.toAbsolutePath().resolve("stack"));
    try (Command stack = Command.start(command, OUT.resolve("local-stack.log"))) {
      await().atMost(MAVEN.plusSeconds(60)).pollInterval(Duration.ofMillis(500))
          .until(() -> stack.output().contains("Press Ctrl-C to stop.") || !stack.isAlive());
      String out = stack.output();
      assertTrue(out.contains("Press Ctrl-C to stop."), out);
      int kafka = port(out, "Kafka\\s+127\\.0\\.0\\.1:(\\d+)");
      int postgres = port(out, "PostgreSQL\\s+jdbc:postgresql://127\\.0\\.0\\.1:(\\d+)/");
      int redis = port(out, "Redis\\s+redis://127\\.0\\.0\\.1:(\\d+)");
      for (int port : List.of(kafka, postgres, redis)) {
        assertTrue(open(port), "port " + port + " open");
      }
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + kafka))) {
        assertTrue(admin.listTopics().names().get().containsAll(
            Set.of("payments", "fraud-decisions", "payments.dlq")), "the README's topics exist");
      }
      assertEquals(SIGTERM_EXIT, stack.stop(STOP), stack::tail);
      assertTrue(stack.output().contains("Local stack stopped."), stack::tail);
      for (int port : List.of(kafka, postgres, redis)) {
        assertFalse(open(port), "port " + port + " closed after SIGTERM");
      }
    }
  }

  /**
   * The generator, then the fraud pipeline ("your own Kafka": the stack's broker, plus the
   * PostgreSQL and Redis options of the README's sink section) and the analytics pipeline side by
   * side; then the README's SQL and redis-cli commands on what they wrote; then SIGTERM.
   */
  @Test
  void generatorAndPipelinesOnYourOwnKafka(LocalStack stack) throws Exception {
    stack.createTopics(Map.of("payments", 4, "fraud-decisions", 4, "payments.dlq", 1,
        "merchant-stats", 4, "customer-sessions", 4, "payments.analytics.dlq", 1));
    KafkaConnection kafka = KafkaConnection.to(stack.kafkaBootstrapServers());
    int count = 200;
    String generate = withExecArgs(
        bootstrap(command("generator"), stack),
        // A backfill only (no live mode), over 200 s of event time so that minute windows close.
        "--count=\\d+", "--count=" + count, "--durationSeconds=\\d+", "--durationSeconds=0", "--rate=[\\d.]+", "--rate=1",
        "--customers=50");
    try (Command generator = Command.start(generate, OUT.resolve("generator.log"))) {
      assertEquals(0, generator.waitFor(MAVEN.plusSeconds(60)), generator::tail);
    }
    assertEquals(count, recordsIn(kafka, "payments"), "the generator's records are in the topic");

    Path clientProperties = OUT.toAbsolutePath().resolve("kafka-client.properties");
    Files.writeString(clientProperties, "request.timeout.ms=30000\n");
    String postgres = "--postgresJdbcUrl=" + stack.jdbcUrl() + " --postgresUser=" + stack.postgresUser();
    String fraud = withExecArgs(
        bootstrap(command("fraud"), stack).replaceFirst("--kafkaPropertiesFile=\\S+", "--kafkaPropertiesFile=" + clientProperties),
        "--writeToPostgres=true " + postgres + " --writeToRedis=true --redisUrl=" + stack.redisUrl());
    String analytics = withExecArgs(bootstrap(command("analytics"), stack), postgres);
    try (Command fraudJob = Command.start(fraud, OUT.resolve("fraud.log"));
        Command analyticsJob = Command.start(analytics, OUT.resolve("analytics.log"));
        CommittedTopicReader decisions = new CommittedTopicReader(kafka, "fraud-decisions")) {
      // At most 1% duplicates and 1% malformed records: at least 95% decided, each once.
      List<ConsumerRecord<byte[], byte[]>> decided =
          decisions.readUntil(r -> r.size() >= count * 95 / 100 || !fraudJob.isAlive(), MAVEN.plusSeconds(180));
      assertTrue(decided.size() >= count * 95 / 100, () -> decided.size() + " decisions committed\n" + fraudJob.tail());
      List<FraudDecision> committed = CommittedTopicReader.values(decisions.drain(Duration.ofSeconds(3)), FraudDecision.getDecoder());
      Set<String> ids = committed.stream().map(FraudDecision::getTransactionId).collect(Collectors.toSet());
      assertEquals(committed.size(), ids.size(), "each transaction decided once");

      await().atMost(Duration.ofSeconds(60)).until(() -> rows(stack, "SELECT count(*) FROM fraud_decisions") >= ids.size());
      // Which customers pay depends on the hour (habits): the README's customer, or one who paid.
      String customer = customerWithDecisions(stack);
      readmeSqlReturnsRows(stack, "FROM fraud_decisions", true, customer);
      readmeSqlReturnsRows(stack, "FROM customer_latest_features", true, customer);
      readmeRedisCommandsAnswer(stack, customer);

      // The generator's 200 s of payments close two or three 1-minute merchant windows once the
      // watermark passes them. Its few customers leave a partition of payments empty: that
      // partition must not hold the watermark back (it did, and no MERCHANT row ever came).
      assertTrue(analyticsJob.isAlive(), analyticsJob::tail);
      await().atMost(Duration.ofSeconds(120)).until(
          () -> rows(stack, "SELECT count(*) FROM payment_stats WHERE dimension = 'MERCHANT'") > 0 || !analyticsJob.isAlive());
      readmeSqlReturnsRows(stack, "dimension = 'MERCHANT' ORDER BY", true, README_CUSTOMER);
      // The latest window's category statistics come with its first (early) pane, a minute on: run, not awaited.
      readmeSqlReturnsRows(stack, "'MERCHANT_CATEGORY'", false, README_CUSTOMER);

      assertEquals(SIGTERM_EXIT, fraudJob.stop(STOP), fraudJob::tail);
      assertEquals(SIGTERM_EXIT, analyticsJob.stop(STOP), analyticsJob::tail);
      assertFalse(fraudJob.output().contains("failed, exiting"), fraudJob::tail);
    }
  }

  /**
   * The backfill section: its backfill command alone must exit 0, with statistics in PostgreSQL and
   * the consumer group's offsets committed at the topic's end; then its streaming command, same
   * group, must take over there: it commits offsets of the payments sent after the backfill.
   */
  @Test
  void analyticsBackfillThenTheStreamingJobTakesOver(LocalStack stack) throws Exception {
    String run = "backfill" + System.nanoTime();
    String payments = "payments-" + run;
    String group = "analytics-" + run;
    stack.createTopics(Map.of(payments, 4, "merchant-stats-" + run, 4, "customer-sessions-" + run, 4,
        "payments.analytics.dlq-" + run, 1));
    // A database of its own: payment_stats rows there are this test's, whatever else ran on the stack.
    String jdbcUrl = createDatabase(stack, run);
    String options = "--postgresJdbcUrl=" + jdbcUrl + " --postgresUser=" + stack.postgresUser()
        + " --paymentsTopic=" + payments + " --analyticsConsumerGroup=" + group + " --sinkGroupId=" + group + "-sink"
        + " --statsTopic=merchant-stats-" + run + " --sessionsTopic=customer-sessions-" + run
        + " --analyticsDeadLetterTopic=payments.analytics.dlq-" + run;
    KafkaConnection kafka = KafkaConnection.to(stack.kafkaBootstrapServers());
    int backfilled = 300;
    int total = 400;
    KnownInput input = KnownInput.generate(total);
    input.produce(kafka, payments, 0, backfilled);

    String backfill = withExecArgs(bootstrap(command("analyticsBackfill"), stack), options);
    try (Command job = Command.start(backfill, OUT.resolve("analytics-backfill.log"))) {
      assertEquals(0, job.waitFor(MAVEN.plusSeconds(240)), job::tail);
    }
    assertTrue(rows(jdbcUrl, stack, "SELECT count(*) FROM payment_stats") > 0, "the backfill's statistics");
    // A committed offset never passes its partition's end: equal sums are equal offsets.
    assertEquals(backfilled, recordsIn(kafka, payments));
    assertEquals(backfilled, KnownInput.committedOffsets(kafka, group, payments, backfilled, Duration.ZERO),
        "the backfill committed the end offsets to " + group);

    String streaming = withExecArgs(bootstrap(command("analytics"), stack), options);
    try (Command job = Command.start(streaming, OUT.resolve("analytics-takeover.log"))) {
      // The group's offsets move on from the backfill's: the streaming job reads the new payments.
      // The DirectRunner finalizes a read's checkpoint (commits its offsets) only at its next read
      // that brings records, and with batched reads one read takes all that is there: the new
      // payments go a few at a time, as a live stream sends them, until the offsets move.
      int[] sent = {backfilled};
      long[] committed = {0};
      try {
        await("offsets committed past the backfill's").atMost(MAVEN.plusSeconds(180)).pollInterval(Duration.ofSeconds(2))
            .until(() -> {
              if (sent[0] < total) {
                input.produce(kafka, payments, sent[0], Math.min(total, sent[0] + 10));
                sent[0] = Math.min(total, sent[0] + 10);
              }
              committed[0] = KnownInput.committedOffsets(kafka, group, payments, backfilled + 1, Duration.ZERO);
              return committed[0] > backfilled;
            });
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError(committed[0] + " offsets committed, " + sent[0] + " sent\n" + job.tail(), e);
      }
      assertEquals(SIGTERM_EXIT, job.stop(STOP), job::tail);
    }
  }

  /** The fraud command with a decisions topic that does not exist: the sink fails, the JVM exits 1. */
  @Test
  void aFailedPipelineExitsNonZeroWithTheError(LocalStack stack) throws Exception {
    stack.createTopics(Map.of("payments-fail", 1, "payments.dlq-fail", 1));
    KafkaConnection kafka = KafkaConnection.to(stack.kafkaBootstrapServers());
    dev.paystream.pipelines.KnownInput.generate(300).produce(kafka, "payments-fail", 0, 300);
    String failing = withExecArgs(
        bootstrap(command("fraud"), stack),
        "--kafkaPropertiesFile=\\S+", "--kafkaProperties=max.block.ms=3000",
        "--paymentsTopic=\\S+", "--paymentsTopic=payments-fail",
        "--decisionsTopic=\\S+", "--decisionsTopic=no-such-topic",
        "--deadLetterTopic=\\S+", "--deadLetterTopic=payments.dlq-fail",
        "--consumerGroup=\\S+", "--consumerGroup=fail-" + System.nanoTime(),
        "--sinkGroupId=\\S+", "--sinkGroupId=fail-sink-" + System.nanoTime());
    try (Command job = Command.start(failing, OUT.resolve("failing.log"))) {
      // Without PipelineMain the main thread dies and Kafka's threads keep the JVM up: no exit at all.
      assertEquals(1, job.waitFor(MAVEN.plusSeconds(60)), job::tail);
      String out = job.output();
      assertTrue(out.contains("FraudDetectionPipeline failed, exiting with 1"), out);
      assertTrue(out.contains("no-such-topic"), "the cause is logged");
    }
  }

  @Test
  void demoPrintsBalancedAccounting() throws Exception {
    String demo = afterInstall(command("demo")) + " -Dexec.args=\"--events=300 --customers=30 --backfillDays=1\"";
    try (Command run = Command.start(demo, OUT.resolve("demo.log"))) {
      assertEquals(0, run.waitFor(MAVEN.plusSeconds(180)), run::tail);
      assertTrue(Pattern.compile("Accounting:\\s+300 in = [\\d,]+ decisions \\+ [\\d,]+ dead letters \\+ [\\d,]+ duplicates\\s+OK")
          .matcher(run.output()).find(), run::tail);
      assertTrue(run.output().contains("PostgreSQL: "), run::tail);
    }
  }

  /**
   * The README's quick benchmark run, as written, from a copy of the sources ({@code bench/run.sh}
   * builds bench and the modules it needs; in place it would rewrite the jars this test runs
   * from). Maven flags for that build come from {@code MAVEN_ARGS} in this test's environment,
   * as for a reader. Its table must have a row per contender, each with every payment accounted for.
   */
  @Test
  void quickBenchmarkPrintsItsTable() throws Exception {
    List<String> quick = commands("bench").stream().filter(c -> c.contains("--contenders=limit,direct")).toList();
    assertEquals(1, quick.size(), () -> "one quick benchmark command in the README: " + commands("bench"));
    String command = quick.get(0);
    Path checkout = SourceCopy.of(OUT.toAbsolutePath().resolve("bench-checkout"));
    try (Command run = Command.start(checkout, List.of(), command, OUT.resolve("bench.log"))) {
      assertEquals(0, run.waitFor(Duration.ofMinutes(20)), run::tail); // ~2 min idle, 12 min at load 50
      String out = run.output();
      assertTableRow(out, "limit \\(kafka-clients EOS\\)", option(command, "events"));
      assertTableRow(out, "direct", option(command, "directEvents"));
      assertTrue(out.contains("Results written to "), run::tail);
    }
  }

  /** A row of the benchmark's table: {@code events} payments, all of them through at a rate above 0. */
  private static void assertTableRow(String out, String contender, int events) {
    Matcher row = Pattern.compile("(?m)^" + contender + "\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+)\\s").matcher(out);
    assertTrue(row.find(), () -> "no table row for " + contender + ":\n" + out);
    assertEquals(events, Integer.parseInt(row.group(1).replace(",", "")), row.group());
    assertTrue(Long.parseLong(row.group(2).replace(",", "")) > 0, row.group());
  }

  private static int option(String command, String name) {
    Matcher value = Pattern.compile("--" + name + "=(\\d+)").matcher(command);
    assertTrue(value.find(), () -> "--" + name + " in " + command);
    return Integer.parseInt(value.group(1));
  }

  @Test
  void flinkAndBenchCommandsAreConsistent() throws Exception {
    // Checked here; the Flink commands are run by ReadmeFlinkCommandsIT (-Pflink-runner), the benchmark's quick run above.
    assertEquals("mvn -B -Pflink-runner -pl pipelines -am package -DskipTests", command("flinkJar"));
    String pom = Files.readString(Readme.ROOT.resolve("pipelines/pom.xml"));
    assertTrue(pom.contains("<id>flink-runner</id>") && pom.contains("<shadedClassifierName>flink-job</shadedClassifierName>"));
    List<String> variables = commands("flinkVariables");
    assertEquals("JAR=pipelines/target/paystream-pipelines-0.1.0-SNAPSHOT-flink-job.jar", variables.get(0));
    assertTrue(pom.contains("<artifactId>paystream-pipelines</artifactId>") && pom.contains("<version>0.1.0-SNAPSHOT</version>"));
    // OPENS is cheap: run it, and it yields the JDK 17 opens Flink needs.
    Process opens = new ProcessBuilder("bash", "-c", variables.get(1) + " && echo \"$OPENS\"")
        .directory(Readme.ROOT.toFile()).redirectErrorStream(true).start();
    String opened = new String(opens.getInputStream().readAllBytes());
    assertEquals(0, opens.waitFor());
    assertTrue(opened.contains("--add-opens=java.base/java.util=ALL-UNNAMED"), opened);

    // The options files the commands pass parse as the pipeline's options, with the runner's.
    FlinkCommandOptions.assertParse(command("flinkEmbedded"));
    FlinkCommandOptions.assertParse(command("flinkSubmit"));

    Path cluster = Readme.ROOT.resolve("runner-profiles/flink-session-cluster.sh");
    assertTrue(Files.isExecutable(cluster));
    String script = Files.readString(cluster);
    for (String word : List.of("start)", "status)", "stop)", "--rest-port=", "--slots=")) {
      assertTrue(script.contains(word), "flink-session-cluster.sh handles " + word);
    }
    assertTrue(command("flinkStop").contains("/jobs/<jobId>/stop"));
    String bench = Files.readString(Readme.ROOT.resolve("bench/run.sh"));
    for (String benchCommand : commands("bench")) {
      for (String option : benchCommand.replace("bash bench/run.sh", "").trim().split("\\s+")) {
        assertTrue(option.isEmpty() || bench.contains(option.substring(0, option.indexOf('=') + 1)), option);
      }
    }
  }

  private static void readmeSqlReturnsRows(LocalStack stack, String statementContaining, boolean mustHaveRows, String customer)
      throws SQLException {
    String sql = readme().sqlStatements().stream().filter(s -> s.contains(statementContaining)).findFirst().orElseThrow()
        .replace(README_CUSTOMER, customer);
    try (Connection connection = DriverManager.getConnection(stack.jdbcUrl(), stack.postgresUser(), stack.postgresPassword());
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      boolean any = rows.next();
      assertTrue(any || !mustHaveRows, () -> "no rows: " + sql);
    }
  }

  private static void readmeRedisCommandsAnswer(LocalStack stack, String customer) {
    // redis-cli is not installed here: the same commands through Jedis, on the stack's port.
    try (JedisPooled redis = new JedisPooled("127.0.0.1", stack.redisPort())) {
      for (String command : commands("redis")) {
        Matcher cli = Pattern.compile("redis-cli -h 127\\.0\\.0\\.1 -p 6379 (\\w+) (\\S+)").matcher(command);
        assertTrue(cli.matches(), command);
        Object reply = redis.sendCommand(Protocol.Command.valueOf(cli.group(1)), cli.group(2).replace(README_CUSTOMER, customer));
        if (reply instanceof List<?> fields) {
          assertFalse(fields.isEmpty(), command);
        } else {
          assertTrue((Long) reply > 0, command + " -> " + reply);
        }
      }
    }
  }

  private static String customerWithDecisions(LocalStack stack) throws SQLException {
    try (Connection connection = DriverManager.getConnection(stack.jdbcUrl(), stack.postgresUser(), stack.postgresPassword());
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(
            "SELECT customer_id FROM fraud_decisions ORDER BY customer_id = '" + README_CUSTOMER + "' DESC, customer_id LIMIT 1")) {
      assertTrue(rows.next(), "decisions in PostgreSQL");
      return rows.getString(1);
    }
  }

  private static long rows(LocalStack stack, String countQuery) throws SQLException {
    return rows(stack.jdbcUrl(), stack, countQuery);
  }

  private static long rows(String jdbcUrl, LocalStack stack, String countQuery) throws SQLException {
    try (Connection connection = DriverManager.getConnection(jdbcUrl, stack.postgresUser(), stack.postgresPassword());
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(countQuery)) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      return 0; // the table is created by the sink's first write
    }
  }

  /** A new database on the stack's PostgreSQL; returns its JDBC URL. */
  private static String createDatabase(LocalStack stack, String name) throws SQLException {
    try (Connection connection = DriverManager.getConnection(stack.jdbcUrl(), stack.postgresUser(), stack.postgresPassword());
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    }
    return stack.jdbcUrl().replaceFirst("/[^/?]*(\\?.*)?$", "/" + name + "$1");
  }

  private static long recordsIn(KafkaConnection kafka, String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(kafka.clientConfig(Map.of()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  static boolean open(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int port(String output, String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(output);
    assertTrue(matcher.find(), () -> regex + " in\n" + output);
    return Integer.parseInt(matcher.group(1));
  }

  /** The README's install prerequisite, then the command: only the command is run. */
  private static String afterInstall(String command) {
    String install = command("install") + " && ";
    assertTrue(command.startsWith(install), command);
    return command.substring(install.length());
  }

  static String bootstrap(String command, LocalStack stack) {
    return command.replaceFirst("--bootstrapServers=\\S+", "--bootstrapServers=" + stack.kafkaBootstrapServers());
  }

  /**
   * {@code command} with its {@code -Dexec.args} changed: {@code edits} are regex/replacement
   * pairs; a lone last edit is appended.
   */
  private static String withExecArgs(String command, String... edits) {
    Matcher args = Pattern.compile("-Dexec\\.args=\"([^\"]*)\"").matcher(command);
    assertTrue(args.find(), command);
    String value = args.group(1);
    int i = 0;
    for (; i + 1 < edits.length; i += 2) {
      Matcher option = Pattern.compile(edits[i]).matcher(value);
      assertTrue(option.find(), "the README's args have no " + edits[i] + ": " + value);
      value = option.replaceFirst(Matcher.quoteReplacement(edits[i + 1]));
    }
    if (i < edits.length) {
      value = value + " " + edits[i];
    }
    return command.substring(0, args.start(1)) + value + command.substring(args.end(1));
  }

  static String command(String check) {
    List<String> commands = commands(check);
    assertEquals(1, commands.size(), () -> check + ": " + commands);
    return commands.get(0);
  }

  static List<String> commands(String check) {
    // Distinct: the backfill section repeats the streaming analytics command as its takeover step.
    return readme().bashCommands().stream().filter(CHECKS.get(check)).distinct().collect(Collectors.toList());
  }

  private static List<String> shellCommands(String script) {
    return shellLines(script.replaceAll("\\\\\\n", " "));
  }

  private static List<String> shellLines(String joined) {
    List<String> commands = new ArrayList<>();
    for (String line : joined.split("\\n")) {
      String command = Readme.normalize(line);
      if (!command.isEmpty() && !command.startsWith("#") && !command.startsWith("set ") && !command.startsWith("cd ")) {
        commands.add(command);
      }
    }
    return commands;
  }

  /** A check claims the commands that start with a prefix ending in a blank or '=', or equal another. */
  private static void claim(String check, String... prefixes) {
    CHECKS.put(check, command -> {
      for (String prefix : prefixes) {
        boolean open = prefix.endsWith(" ") || prefix.endsWith("=");
        if (open ? command.startsWith(prefix) : command.equals(prefix)) {
          return true;
        }
      }
      return false;
    });
  }
}
