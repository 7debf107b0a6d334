package dev.paystream.pipelines.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.localstack.LocalStack;
import dev.paystream.pipelines.AnalyticsOptions;
import dev.paystream.pipelines.FraudDetectionOptions;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml cannot run here (no Docker engine), so this reads it and checks that it
 * describes the topology the code expects: the services on the ports of the options' defaults and
 * of {@link LocalStack}, the topics the pipeline reads and writes, the Flink cluster configured like
 * the session cluster of {@code runner-profiles/}, and images of the versions the code is built on.
 */
@SuppressWarnings("unchecked") // YAML maps, typed as the file's structure
class DockerComposeTest {

  private static final Path COMPOSE = RunnerProfiles.DIR.resolveSibling("docker-compose.yml");

  /**
   * Keys of the session cluster's config.yaml that the containers set differently, on purpose:
   * addresses (the image binds to the container's interface and the JobManager is reached by its
   * service name), the temp directory, the Java 17 opens (Flink's own default configuration in
   * the image carries them), and the Prometheus reporter's port: one per container, where the
   * session cluster's JobManager and TaskManager share a host and take the first free of a range.
   */
  private static final Set<String> CONTAINER_SPECIFIC_FLINK_KEYS =
      Set.of(
          "jobmanager.rpc.address",
          "jobmanager.bind-host",
          "taskmanager.bind-host",
          "taskmanager.host",
          "rest.address",
          "rest.bind-address",
          "io.tmp.dirs",
          "env.java.opts.all",
          "metrics.reporter.prom.port");

  private final Map<String, Map<String, Object>> services = services();
  private final FraudDetectionOptions defaults =
      PipelineOptionsFactory.as(FraudDetectionOptions.class);

  @Test
  void kafkaIsPublishedWhereTheOptionsAndTheLocalStackExpectIt() {
    assertEquals("127.0.0.1:" + LocalStack.DEFAULT_KAFKA_PORT, defaults.getBootstrapServers());
    assertEquals(List.of(LocalStack.DEFAULT_KAFKA_PORT + ":9092"), ports("kafka"));
    assertTrue(
        listeners("kafka", "KAFKA_ADVERTISED_LISTENERS")
            .contains("PLAINTEXT://" + defaults.getBootstrapServers()));
    assertEquals("apache/kafka:" + AppInfoParser.getVersion(), image("kafka"));
  }

  @Test
  void theTopicsThePipelinesUseAreCreated() {
    String command = String.join("\n", (List<String>) services.get("kafka-topics").get("command"));
    // for t in <topic>:<partitions> ...; do kafka-topics.sh --create ...
    Matcher loop = Pattern.compile("for t in ([^;]+);").matcher(command);
    assertTrue(loop.find(), command);
    Set<String> created = new TreeSet<>();
    for (String topic : loop.group(1).strip().split("\\s+")) {
      created.add(topic.substring(0, topic.indexOf(':')));
    }
    AnalyticsOptions analytics = PipelineOptionsFactory.as(AnalyticsOptions.class);
    assertEquals(
        new TreeSet<>(
            List.of(
                defaults.getPaymentsTopic(),
                defaults.getDecisionsTopic(),
                defaults.getDeadLetterTopic(),
                analytics.getStatsTopic(),
                analytics.getSessionsTopic(),
                analytics.getAnalyticsDeadLetterTopic())),
        created);
  }

  @Test
  void postgresIsWhereTheJdbcUrlPoints() {
    URI jdbc = URI.create(defaults.getPostgresJdbcUrl().substring("jdbc:".length()));
    assertEquals(LocalStack.DEFAULT_POSTGRES_PORT, jdbc.getPort());
    assertEquals(List.of(jdbc.getPort() + ":5432"), ports("postgres"));
    assertEquals(jdbc.getPath().substring(1), env("postgres").get("POSTGRES_DB"));
    assertEquals(defaults.getPostgresUser(), env("postgres").get("POSTGRES_USER"));
  }

  @Test
  void redisIsWhereTheRedisUrlPoints() {
    URI redis = URI.create(defaults.getRedisUrl());
    assertEquals(LocalStack.DEFAULT_REDIS_PORT, redis.getPort());
    assertEquals(List.of(redis.getPort() + ":6379"), ports("redis"));
  }

  @Test
  void flinkRestIsWhereTheClusterOptionsSubmitJobs() {
    Map<String, String> session = sessionClusterConfig();
    String rest = RunnerProfiles.option("flink-cluster.options", "--flinkMaster");
    assertEquals("127.0.0.1:" + session.get("rest.port"), rest);
    assertEquals(List.of(session.get("rest.port") + ":" + flinkProperties().get("rest.port")), ports("jobmanager"));
    assertEquals(session.get("parallelism.default"), RunnerProfiles.option("flink-cluster.options", "--parallelism"));
  }

  @Test
  void flinkContainersAreConfiguredLikeTheSessionCluster() {
    Map<String, String> expected = new TreeMap<>(sessionClusterConfig());
    expected.keySet().removeAll(CONTAINER_SPECIFIC_FLINK_KEYS);
    Map<String, String> actual = new TreeMap<>(flinkProperties());
    assertEquals("jobmanager", actual.remove("jobmanager.rpc.address"));
    actual.keySet().removeAll(CONTAINER_SPECIFIC_FLINK_KEYS);
    assertEquals(expected, actual);
    // Both containers share one configuration, and the state directory the checkpoints go to.
    assertEquals(services.get("jobmanager").get("environment"), services.get("taskmanager").get("environment"));
    assertEquals(services.get("jobmanager").get("volumes"), services.get("taskmanager").get("volumes"));
    assertTrue(
        ((List<String>) services.get("taskmanager").get("volumes"))
            .contains("flink-state:" + Path.of(URI.create(actual.get("state.checkpoints.dir"))).getParent()));
  }

  @Test
  void flinkImageIsTheRunnersFlinkVersion() {
    assertEquals(
        "flink:" + EnvironmentInformation.getVersion() + "-scala_2.12-java17", image("jobmanager"));
    assertEquals(image("jobmanager"), image("taskmanager"));
  }

  @Test
  void jobsOnTheComposeClusterReachTheServicesByName() {
    Map<String, String> listeners = new LinkedHashMap<>();
    for (String listener : listeners("kafka", "KAFKA_ADVERTISED_LISTENERS")) {
      listeners.put(listener.substring(listener.indexOf("//") + 2), listener.substring(0, listener.indexOf(':')));
    }
    List<String> servers = Arrays.asList(RunnerProfiles.option("flink-docker.options", "--bootstrapServers").split(","));
    // The tasks use the in-network listener; the submitting client, on the host, the published one.
    assertEquals(List.of("DOCKER", "PLAINTEXT"), servers.stream().map(listeners::get).toList());

    URI jdbc = URI.create(RunnerProfiles.option("flink-docker.options", "--postgresJdbcUrl").substring("jdbc:".length()));
    assertTrue(services.containsKey(jdbc.getHost()));
    assertEquals(containerPort(jdbc.getHost()), jdbc.getPort());
    URI redis = URI.create(RunnerProfiles.option("flink-docker.options", "--redisUrl"));
    assertTrue(services.containsKey(redis.getHost()));
    assertEquals(containerPort(redis.getHost()), redis.getPort());
  }

  @Test
  void flinkPropertiesSurviveTheImagesEntrypoint() {
    // The image's entrypoint deletes every blank in a FLINK_PROPERTIES line, inside values too.
    String raw = (String) env("jobmanager").get("FLINK_PROPERTIES");
    for (String line : raw.strip().split("\n")) {
      String value = line.substring(line.indexOf(':') + 1).strip();
      assertTrue(value.chars().noneMatch(Character::isWhitespace), line);
    }
  }

  @Test
  void prometheusScrapesThePipelinesAndFlinkWithTheRepositoryRules() {
    Map<String, String> mounts = mounts("prometheus");
    Map<String, Object> config = yaml(COMPOSE.resolveSibling(mounts.get("/etc/prometheus/prometheus.yml")));
    assertEquals(List.of("/etc/prometheus/alerts.yml"), config.get("rule_files"));
    assertEquals(
        COMPOSE.resolveSibling("monitoring/prometheus/alerts.yml").normalize(),
        COMPOSE.resolveSibling(mounts.get("/etc/prometheus/alerts.yml")).normalize());
    Set<String> targets = new TreeSet<>();
    for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
      for (Map<String, Object> group : (List<Map<String, Object>>) job.get("static_configs")) {
        targets.addAll((List<String>) group.get("targets"));
      }
    }
    String pipelinePort = RunnerProfiles.option("flink-docker.options", "--metricsPort");
    String flinkPort = flinkProperties().get("metrics.reporter.prom.port");
    assertEquals(
        new TreeSet<>(
            List.of(
                "host.docker.internal:" + pipelinePort,
                "taskmanager:" + pipelinePort,
                "jobmanager:" + flinkPort,
                "taskmanager:" + flinkPort)),
        targets);
  }

  @Test
  void grafanaProvisionsTheDashboardsAgainstThatPrometheus() throws IOException {
    Map<String, String> mounts = mounts("grafana");
    Path provisioning = COMPOSE.resolveSibling(mounts.get("/etc/grafana/provisioning"));
    Map<String, Object> datasource =
        ((List<Map<String, Object>>) yaml(provisioning.resolve("datasources/prometheus.yml")).get("datasources")).get(0);
    assertEquals("http://prometheus:" + containerPort("prometheus"), datasource.get("url"));
    Map<String, Object> provider =
        ((List<Map<String, Object>>) yaml(provisioning.resolve("dashboards/paystream.yml")).get("providers")).get(0);
    String dashboardsPath = (String) ((Map<String, Object>) provider.get("options")).get("path");
    Path dashboards = COMPOSE.resolveSibling(mounts.get(dashboardsPath));
    List<Path> files;
    try (var listing = Files.list(dashboards)) {
      files = listing.filter(file -> file.toString().endsWith(".json")).sorted().toList();
    }
    assertEquals(2, files.size(), files.toString());
    for (Path file : files) {
      // Every panel and query reads the provisioned data source.
      Matcher uids = Pattern.compile("\"uid\": \"([^\"]+)\"").matcher(Files.readString(file));
      Set<String> seen = new TreeSet<>();
      while (uids.find()) {
        seen.add(uids.group(1));
      }
      seen.removeIf(uid -> uid.startsWith("paystream"));
      assertEquals(Set.of(datasource.get("uid")), seen, file.toString());
    }
  }

  /** A service's bind mounts, container path to host path (relative to this file). */
  private Map<String, String> mounts(String service) {
    Map<String, String> mounts = new TreeMap<>();
    for (String volume : (List<String>) services.get(service).get("volumes")) {
      String[] parts = volume.split(":");
      mounts.put(parts[1], parts[0]);
    }
    return mounts;
  }

  private Map<String, String> flinkProperties() {
    String raw = (String) env("jobmanager").get("FLINK_PROPERTIES");
    return Arrays.stream(raw.strip().split("\n"))
        .collect(
            Collectors.toMap(
                line -> line.substring(0, line.indexOf(':')).strip(),
                line -> line.substring(line.indexOf(':') + 1).strip()));
  }

  private static Map<String, String> sessionClusterConfig() {
    Map<String, Object> config = yaml(RunnerProfiles.DIR.resolve("flink-conf/config.yaml"));
    return config.entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, entry -> String.valueOf(entry.getValue())));
  }

  private String image(String service) {
    return (String) services.get(service).get("image");
  }

  private List<String> ports(String service) {
    return (List<String>) services.get(service).get("ports");
  }

  /** The port a service listens on inside the network: the container side of its published port. */
  private int containerPort(String service) {
    String published = ports(service).get(0);
    return Integer.parseInt(published.substring(published.indexOf(':') + 1));
  }

  private Map<String, Object> env(String service) {
    return (Map<String, Object>) services.get(service).get("environment");
  }

  private List<String> listeners(String service, String variable) {
    return List.of(((String) env(service).get(variable)).split(","));
  }

  private static Map<String, Map<String, Object>> services() {
    return (Map<String, Map<String, Object>>) yaml(COMPOSE).get("services");
  }

  private static Map<String, Object> yaml(Path file) {
    try (Reader reader = Files.newBufferedReader(file)) {
      return new Yaml().load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
