package dev.paystream.pipelines.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.pipelines.FraudDetectionOptions;
import dev.paystream.pipelines.serve.QueryService;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * No Kubernetes cluster (nor Docker engine) runs here, so this reads {@code
 * runner-profiles/kubernetes/} and checks it against the code, as {@link DockerComposeTest} does
 * for docker-compose.yml: the image's Flink is the runner's, the job jar is where the manifests
 * look for it, the entry classes exist, every argument is an option of the main it is given to,
 * the Java 17 opens and class loading are the session cluster's, ports and probes line up.
 */
@SuppressWarnings("unchecked") // YAML maps, typed as the files' structure
class KubernetesManifestsTest {
  private static final Path DIR = RunnerProfiles.DIR.resolve("kubernetes");
  private static final Path ROOT = RunnerProfiles.DIR.getParent();

  /** The Dockerfile's instructions, continuation lines joined. */
  private final List<String> dockerfile = List.of(String.join("\n", lines(DIR.resolve("Dockerfile"))).replace("\\\n", " ").split("\n"));
  private final Map<String, Object> flink = single(DIR.resolve("fraud-detection.yaml"));
  private final Map<String, Object> spec = map(flink, "spec");
  private final Map<String, String> flinkConfig = strings(map(spec, "flinkConfiguration"));
  private final Map<String, Object> job = map(spec, "job");
  private final List<String> jobArgs = (List<String>) job.get("args");
  private final List<Map<String, Object>> query = documents(DIR.resolve("query-service.yaml"));

  @Test
  void theImageIsTheRunnersFlinkOnJava17WithTheJobJar() throws IOException {
    String version = EnvironmentInformation.getVersion(); // e.g. 1.19.0, what beam-runners-flink-1.19 is built on
    String minor = version.substring(0, version.lastIndexOf('.'));
    assertEquals("FROM flink:" + minor + "-java17", instruction("FROM"));
    assertEquals("v" + minor.replace('.', '_'), spec.get("flinkVersion"));
    String pom = Files.readString(ROOT.resolve("pipelines/pom.xml"));
    assertTrue(pom.contains("<shadedClassifierName>flink-job</shadedClassifierName>"), "the job jar's classifier");
    String[] copy = instruction("COPY").split("\\s+");
    assertEquals("pipelines/target/paystream-pipelines-" + projectVersion(pom) + "-flink-job.jar", copy[1]);
    assertEquals("local://" + copy[2], job.get("jarURI"));
  }

  @Test
  void theFraudJobRunsItsMainWithOptionsThePipelineKnows() throws Exception {
    assertEquals("flink.apache.org/v1beta1", flink.get("apiVersion"));
    assertEquals("FlinkDeployment", flink.get("kind"));
    assertIsMain((String) job.get("entryClass"));
    assertEquals("savepoint", job.get("upgradeMode"));
    // Every argument is an option of the pipeline (or the Flink runner); validation included.
    FraudDetectionOptions options =
        PipelineOptionsFactory.fromArgs(jobArgs.toArray(String[]::new)).withValidation().as(FraudDetectionOptions.class);
    FlinkPipelineOptions runner = options.as(FlinkPipelineOptions.class);
    assertEquals(FlinkRunner.class, runner.getRunner());
    assertEquals("[auto]", runner.getFlinkMaster(), "application mode: the runner takes the cluster it runs in");
    assertEquals(job.get("parallelism"), runner.getParallelism());
    assertEquals(runner.getParallelism(), Integer.parseInt(arg(jobArgs, "--sinkShards")), "one transactional producer per task");
    assertTrue(options.getWriteToPostgres() && options.getWriteToRedis());
    // The cluster options that hold on any cluster are those of flink-cluster.options.
    List<String> sizedHere = List.of("--flinkMaster", "--attachedMode", "--parallelism", "--sinkShards");
    for (String line : RunnerProfiles.args("flink-cluster.options")) {
      String name = line.substring(0, line.indexOf('='));
      if (!sizedHere.contains(name)) {
        assertEquals(line.substring(name.length() + 1), arg(jobArgs, name), name);
      }
    }
    // The workers find the passwords where the sinks look for them.
    List<String> env = envNames(podContainer());
    assertTrue(env.contains(options.getPostgresPasswordEnv()), env::toString);
    assertTrue(env.contains(options.getRedisPasswordEnv()), env::toString);
  }

  @Test
  void stateIsDurableAndHighlyAvailable() {
    for (String key : List.of("state.checkpoints.dir", "state.savepoints.dir", "high-availability.storageDir")) {
      assertTrue(flinkConfig.get(key).startsWith("s3://"), key);
    }
    assertTrue(instruction("RUN").contains("flink-s3-fs-presto"), "the image loads the s3:// file system");
    assertEquals("kubernetes", flinkConfig.get("high-availability.type"));
    assertEquals("RETAIN_ON_CANCELLATION", flinkConfig.get("execution.checkpointing.externalized-checkpoint-retention"));
  }

  @Test
  void everyFlinkJvmGetsTheSessionClustersJava17OpensAndClassLoading() {
    Map<String, Object> session = new Yaml().load(String.join("\n", lines(RunnerProfiles.DIR.resolve("flink-conf/config.yaml"))));
    for (String key : List.of("env.java.opts.all", "classloader.resolve-order", "classloader.check-leaked-classloader", "state.backend.type")) {
      assertEquals(String.valueOf(session.get(key)), flinkConfig.get(key), key);
    }
    assertTrue(flinkConfig.get("env.java.opts.all").contains("--add-opens=java.base/java.util=ALL-UNNAMED"));
  }

  @Test
  void prometheusScrapesEveryFlinkPodOnTheReportersPort() {
    assertEquals("org.apache.flink.metrics.prometheus.PrometheusReporterFactory", flinkConfig.get("metrics.reporter.prom.factory.class"));
    assertEquals(Integer.parseInt(flinkConfig.get("metrics.reporter.prom.port")), port(podContainer(), "metrics"));
  }

  @Test
  void taskManagersHaveACorePerSlotAndTheBenchmarksMemory() {
    Map<String, Object> taskManager = map(map(spec, "taskManager"), "resource");
    int slots = Integer.parseInt(flinkConfig.get("taskmanager.numberOfTaskSlots"));
    assertEquals(slots, ((Number) taskManager.get("cpu")).intValue());
    // The benchmark's 2-slot Flink process peaked at 1.9 GiB RSS (2.4 GiB in the soak).
    assertTrue(Integer.parseInt(((String) taskManager.get("memory")).replace("m", "")) >= 2_500 * slots / 2);
    assertEquals(0, ((Integer) job.get("parallelism")) % slots, "no idle slot");
  }

  @Test
  void theQueryServiceRunsItsMainWithItsOptionsBehindAService() throws Exception {
    Map<String, Object> deployment = query.get(0);
    Map<String, Object> service = query.get(1);
    assertEquals("Deployment", deployment.get("kind"));
    assertEquals("Service", service.get("kind"));
    Map<String, Object> template = map(map(deployment, "spec"), "template");
    Map<String, Object> container = ((List<Map<String, Object>>) map(template, "spec").get("containers")).get(0);
    List<String> command = (List<String>) container.get("command");
    assertEquals(QueryService.class.getName(), command.get(command.size() - 1));
    assertIsMain(QueryService.class.getName());
    assertEquals(job.get("jarURI"), "local://" + command.get(command.indexOf("-cp") + 1));
    assertEquals(spec.get("image"), container.get("image"));

    List<String> args = (List<String>) container.get("args");
    CommandLine cli = new CommandLine(new QueryService());
    cli.parseArgs(args.toArray(String[]::new)); // throws on an option QueryService does not have
    assertEquals("0.0.0.0", cli.getCommandSpec().findOption("--host").getValue());
    int port = cli.getCommandSpec().findOption("--port").getValue();
    assertEquals(port, port(container, "http"));
    assertFalse(args.stream().anyMatch(a -> a.toLowerCase().contains("password=")), "no password on the command line");
    List<String> env = envNames(container);
    assertTrue(env.contains((String) cli.getCommandSpec().findOption("--postgresPasswordEnv").getValue()), env::toString);
    assertTrue(env.contains((String) cli.getCommandSpec().findOption("--redisPasswordEnv").getValue()), env::toString);

    assertEquals("/health", map(map(container, "readinessProbe"), "httpGet").get("path"));
    assertEquals("http", map(map(container, "readinessProbe"), "httpGet").get("port"));
    Map<String, Object> annotations = map(map(template, "metadata"), "annotations");
    assertEquals(String.valueOf(port), annotations.get("prometheus.io/port"));
    assertEquals("/metrics", annotations.get("prometheus.io/path"));
    Map<String, Object> servicePort = ((List<Map<String, Object>>) map(service, "spec").get("ports")).get(0);
    assertEquals("http", servicePort.get("targetPort"));
    assertEquals(map(map(template, "metadata"), "labels"), map(service, "spec").get("selector"));
  }

  private Map<String, Object> podContainer() {
    List<Map<String, Object>> containers = (List<Map<String, Object>>) map(map(spec, "podTemplate"), "spec").get("containers");
    assertEquals("flink-main-container", containers.get(0).get("name"), "the operator merges only this name into its pods");
    return containers.get(0);
  }

  private static void assertIsMain(String className) throws Exception {
    Method main = Class.forName(className).getMethod("main", String[].class);
    assertTrue(Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers()), className);
  }

  private String instruction(String name) {
    return dockerfile.stream()
        .filter(l -> l.startsWith(name + " "))
        .findFirst()
        .map(String::strip)
        .orElseThrow(() -> new AssertionError("Dockerfile has no " + name));
  }

  private static String projectVersion(String pom) {
    Matcher parent = Pattern.compile("(?s)<parent>.*?<version>(.*?)</version>.*?</parent>").matcher(pom);
    assertTrue(parent.find());
    return parent.group(1);
  }

  private static String arg(List<String> args, String name) {
    return args.stream()
        .filter(a -> a.startsWith(name + "="))
        .map(a -> a.substring(name.length() + 1))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + args));
  }

  private static int port(Map<String, Object> container, String name) {
    return ((List<Map<String, Object>>) container.get("ports")).stream()
        .filter(p -> name.equals(p.get("name")))
        .map(p -> (Integer) p.get("containerPort"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no port named " + name));
  }

  private static List<String> envNames(Map<String, Object> container) {
    List<String> names = new ArrayList<>();
    for (Map<String, Object> variable : (List<Map<String, Object>>) container.get("env")) {
      names.add((String) variable.get("name"));
      assertNotNull(variable.get("valueFrom"), "secrets only: " + variable.get("name"));
    }
    return names;
  }

  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    assertNotNull(value, key);
    return (Map<String, Object>) value;
  }

  private static Map<String, String> strings(Map<String, Object> values) {
    Map<String, String> strings = new LinkedHashMap<>();
    values.forEach((key, value) -> strings.put(key, String.valueOf(value)));
    return strings;
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Map<String, Object> single(Path file) {
    List<Map<String, Object>> documents = documents(file);
    assertEquals(1, documents.size(), file.toString());
    return documents.get(0);
  }

  private static List<Map<String, Object>> documents(Path file) {
    List<Map<String, Object>> documents = new ArrayList<>();
    for (Object document : new Yaml().loadAll(String.join("\n", lines(file)))) {
      documents.add((Map<String, Object>) document);
    }
    return documents;
  }
}
