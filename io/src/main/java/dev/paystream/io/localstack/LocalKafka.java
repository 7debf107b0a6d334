package dev.paystream.io.localstack;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A single-node Kafka broker in KRaft mode (broker and controller in one server), run inside this
 * JVM. Its log directory is formatted afresh on every {@link #start}; {@link #stop} and {@link
 * #resume} keep it (and so the cluster id, the topics, the committed offsets and the transactions'
 * state), to test how clients live through a broker outage.
 */
final class LocalKafka implements AutoCloseable {

  private static final int NODE_ID = 1;
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaConfig config;
  private final int port;
  /** Null for the plain broker. */
  private final StackSecurity security;
  // null while stopped; replaced by resume(): a KafkaRaftServer cannot be started twice
  private KafkaRaftServer server;

  private LocalKafka(KafkaConfig config, KafkaRaftServer server, int port, StackSecurity security) {
    this.config = config;
    this.server = server;
    this.port = port;
    this.security = security;
  }

  /**
   * Formats {@code logDir} (after wiping it) and starts the broker; returns once the broker is
   * unfenced and serving on {@code port}. With {@code security} (null: plain) the listener is
   * SASL_SSL, its users' SCRAM credentials are created at format time, and ACLs are enforced.
   */
  static LocalKafka start(int port, int controllerPort, Path logDir, StackSecurity security) throws Exception {
    Directories.recreate(logDir);
    Properties props = brokerProperties(port, controllerPort, logDir, security == null ? "PLAINTEXT" : "SASL_SSL");
    if (security != null) {
      security.secure(props, "SASL_SSL", CONTROLLER_LISTENER);
    }
    KafkaConfig config = new KafkaConfig(props, false);
    format(logDir, security);
    return new LocalKafka(config, startServer(config), port, security);
  }

  /** Starts a server on the formatted log directory; returns once it is unfenced and serving. */
  private static KafkaRaftServer startServer(KafkaConfig config) {
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    try {
      server.startup();
    } catch (RuntimeException e) {
      server.shutdown();
      throw e;
    }
    return server;
  }

  /**
   * Shuts the broker down cleanly, keeping its log directory and ports; does nothing if it is
   * stopped. Clients see the connection refused until {@link #resume}.
   */
  synchronized void stop() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  /**
   * Starts the broker again after {@link #stop}, on the same ports and log directory (same cluster
   * id, topics, offsets and transaction state); returns once it serves. Does nothing if it runs.
   */
  synchronized void resume() {
    if (server == null) {
      server = startServer(config);
    }
  }

  private static Properties brokerProperties(int port, int controllerPort, Path logDir, String listener) {
    String broker = listener + "://" + Ports.HOST + ":" + port;
    String controller = CONTROLLER_LISTENER + "://" + Ports.HOST + ":" + controllerPort;
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", String.valueOf(NODE_ID));
    props.put("controller.quorum.voters", NODE_ID + "@" + Ports.HOST + ":" + controllerPort);
    props.put("listeners", broker + "," + controller);
    props.put("advertised.listeners", broker);
    props.put("controller.listener.names", CONTROLLER_LISTENER);
    props.put("inter.broker.listener.name", listener);
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("log.dirs", logDir.toString());
    // One replica of everything: the defaults (3) would leave the internal topics unusable.
    props.put("offsets.topic.replication.factor", "1");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    // The internal topics default to 50 partitions each, which makes the first consumer group and
    // the first transactional producer wait for 50 leaders; a handful is plenty on one node.
    props.put("offsets.topic.num.partitions", "4");
    props.put("transaction.state.log.num.partitions", "4");
    props.put("num.partitions", "4");
    props.put("group.initial.rebalance.delay.ms", "0");
    // The log cleaner (needed for the compacted offsets topic) allocates 128 MiB of heap up front
    // by default, in a JVM that may also be running the pipeline.
    props.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
    // A mistyped topic name should fail loudly instead of silently creating a new topic.
    props.put("auto.create.topics.enable", "false");
    return props;
  }

  /** What {@code kafka-storage.sh format} does, without its console output. */
  private static void format(Path logDir, StackSecurity security) throws Exception {
    Formatter formatter = new Formatter();
    if (security != null) {
      formatter.setScramArguments(security.scramArguments());
    }
    formatter
        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
        .setNodeId(NODE_ID)
        .setClusterId(Uuid.randomUuid().toString())
        .setControllerListenerName(CONTROLLER_LISTENER)
        .setMetadataLogDirectory(logDir.toString())
        .addDirectory(logDir.toString())
        .run();
  }

  int port() {
    return port;
  }

  String bootstrapServers() {
    return Ports.HOST + ":" + port;
  }

  /**
   * Creates the topics that do not exist yet, each with its partition count, one replica and
   * {@code configs}, and returns once every partition's leader serves requests. Existing topics are
   * left as they are, even if their partition count differs.
   */
  void createTopics(Map<String, Integer> nameToPartitions, Map<String, String> configs) {
    if (nameToPartitions.isEmpty()) {
      return;
    }
    List<NewTopic> topics =
        nameToPartitions.entrySet().stream()
            .map(e -> new NewTopic(e.getKey(), e.getValue(), (short) 1).configs(configs))
            .toList();
    try (Admin admin = Admin.create(adminConfig())) {
      for (Map.Entry<String, KafkaFuture<Void>> result :
          admin.createTopics(topics).values().entrySet()) {
        awaitCreated(result.getKey(), result.getValue());
      }
      awaitLeaders(admin, nameToPartitions);
    }
  }

  /**
   * Topic creation returns before the partitions' leaders serve requests, and an idempotent
   * producer whose first batch meets NOT_LEADER_OR_FOLLOWER can then retry it for ever with
   * OUT_OF_ORDER_SEQUENCE_NUMBER (seen by the benchmark on a fresh topic). Asking every partition
   * for its latest offset succeeds only once each leader serves.
   */
  private static void awaitLeaders(Admin admin, Map<String, Integer> nameToPartitions) {
    Map<TopicPartition, OffsetSpec> partitions = new LinkedHashMap<>();
    nameToPartitions.forEach(
        (topic, count) -> {
          for (int p = 0; p < count; p++) {
            partitions.put(new TopicPartition(topic, p), OffsetSpec.latest());
          }
        });
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    while (true) {
      try {
        admin.listOffsets(partitions).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (ExecutionException | TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("No serving leader for the partitions of " + nameToPartitions.keySet(), e);
        }
        sleep(Duration.ofMillis(200));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted waiting for the leaders of " + nameToPartitions.keySet(), e);
      }
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }

  /** Adds {@code acls} (secured broker only); returns once the controller has them. */
  void createAcls(List<AclBinding> acls) {
    if (security == null) {
      throw new IllegalStateException("ACLs need a secured stack (LocalStack.builder().secured(...))");
    }
    try (Admin admin = Admin.create(adminConfig())) {
      admin.createAcls(acls).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Could not create the ACLs " + acls, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted creating ACLs", e);
    }
  }

  private Map<String, Object> adminConfig() {
    Map<String, Object> config = new HashMap<>();
    if (security != null) {
      config.putAll(security.kafkaClientProperties(StackSecurity.KAFKA_ADMIN));
    }
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
    return config;
  }

  private static void awaitCreated(String topic, KafkaFuture<Void> creation) {
    try {
      creation.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("Could not create topic " + topic, e.getCause());
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("Timed out creating topic " + topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topic " + topic, e);
    }
  }

  @Override
  public void close() {
    stop();
  }
}
