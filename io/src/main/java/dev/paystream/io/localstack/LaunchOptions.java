package dev.paystream.io.localstack;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The command-line options of {@link LocalStack#main}, all of the form {@code --name=value}. */
record LaunchOptions(
    int kafkaPort,
    int postgresPort,
    int redisPort,
    Path dataDir,
    Map<String, Integer> topics,
    boolean help) {

  /** Relative to the working directory, so each checkout keeps its own (git-ignored) stack. */
  static final Path DEFAULT_DATA_DIR = Path.of(".paystream", "localstack");

  static final String USAGE =
      String.join(
          System.lineSeparator(),
          "Usage: LocalStack [--kafkaPort=N] [--postgresPort=N] [--redisPort=N] [--dataDir=DIR]",
          "                  [--topics=NAME:PARTITIONS,...] [--help]",
          "  --kafkaPort     Kafka broker port (default " + LocalStack.DEFAULT_KAFKA_PORT + ")",
          "  --postgresPort  PostgreSQL port (default " + LocalStack.DEFAULT_POSTGRES_PORT + ")",
          "  --redisPort     Redis port (default " + LocalStack.DEFAULT_REDIS_PORT + ")",
          "                  A port of 0 picks a free one.",
          "  --dataDir       directory for the servers' files (default " + DEFAULT_DATA_DIR + ")",
          "                  Its kafka, postgres and redis folders are wiped at every start.",
          "  --topics        Kafka topics to create, e.g. payments:4,decisions:4");

  /**
   * Parses {@code args}.
   *
   * @throws IllegalArgumentException naming the offending argument
   */
  static LaunchOptions parse(String... args) {
    int kafkaPort = LocalStack.DEFAULT_KAFKA_PORT;
    int postgresPort = LocalStack.DEFAULT_POSTGRES_PORT;
    int redisPort = LocalStack.DEFAULT_REDIS_PORT;
    Path dataDir = DEFAULT_DATA_DIR;
    Map<String, Integer> topics = new LinkedHashMap<>();
    boolean help = false;
    for (String arg : args) {
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      String value = arg.substring(name.length() + (arg.contains("=") ? 1 : 0));
      switch (name) {
        case "--kafkaPort" -> kafkaPort = port(name, value);
        case "--postgresPort" -> postgresPort = port(name, value);
        case "--redisPort" -> redisPort = port(name, value);
        case "--dataDir" -> dataDir = Path.of(required(name, value));
        case "--topics" -> topics.putAll(topics(required(name, value)));
        case "--help", "-h" -> help = true;
        default -> throw new IllegalArgumentException("Unknown argument: " + arg);
      }
    }
    return new LaunchOptions(kafkaPort, postgresPort, redisPort, dataDir, Collections.unmodifiableMap(topics), help);
  }

  /** A builder for the stack these options describe. */
  LocalStack.Builder builder() {
    return LocalStack.builder()
        .kafkaPort(kafkaPort)
        .postgresPort(postgresPort)
        .redisPort(redisPort)
        .dataDir(dataDir);
  }

  private static int port(String name, String value) {
    int port = number(name, required(name, value));
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(name + " must be between 0 and 65535, got " + value);
    }
    return port;
  }

  private static Map<String, Integer> topics(String value) {
    Map<String, Integer> topics = new LinkedHashMap<>();
    for (String topic : value.split(",")) {
      String[] nameAndPartitions = topic.split(":", -1);
      if (nameAndPartitions.length != 2 || nameAndPartitions[0].isBlank()) {
        throw new IllegalArgumentException(
            "--topics wants NAME:PARTITIONS[,NAME:PARTITIONS...], got " + value);
      }
      int partitions = number("--topics", nameAndPartitions[1]);
      if (partitions < 1) {
        throw new IllegalArgumentException("--topics: partitions must be at least 1 in " + topic);
      }
      topics.put(nameAndPartitions[0].trim(), partitions);
    }
    return topics;
  }

  private static int number(String name, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " wants a number, got '" + value + "'");
    }
  }

  private static String required(String name, String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " needs a value: " + name + "=...");
    }
    return value;
  }
}
