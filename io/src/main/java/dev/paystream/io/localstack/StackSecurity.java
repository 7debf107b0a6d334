package dev.paystream.io.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The credentials and certificates of a secured {@link LocalStack} ({@link
 * LocalStack.Builder#secured}), all made afresh at every start with random passwords:
 *
 * <ul>
 *   <li><b>Kafka</b>: one listener, SASL_SSL with SCRAM-SHA-512. The SCRAM credentials of {@value
 *       #KAFKA_ADMIN} (the broker itself and the stack's admin client, a super user) and of every
 *       requested user are written into the metadata when the storage is formatted, what {@code
 *       kafka-storage format --add-scram} does. ACLs are enforced by KRaft's {@code
 *       StandardAuthorizer}: a user may do nothing until {@link LocalStack#grantKafka} allows it.
 *       The controller listener takes SASL PLAIN (SCRAM credentials live in the metadata the
 *       controller serves, so it cannot use them itself) and, like every port, binds 127.0.0.1.
 *   <li><b>PostgreSQL</b>: TLS only ({@code hostssl}), user {@code postgres} with {@link
 *       #postgresPassword()} (scram-sha-256).
 *   <li><b>Redis</b>: TLS only ({@code rediss://}), {@code requirepass} {@link #redisPassword()}.
 * </ul>
 *
 * <p>Every server certificate chains to one throw-away authority, {@link #caCertificate()}, and
 * names 127.0.0.1 and localhost, so clients can verify the host ({@code sslmode=verify-full}).
 */
public final class StackSecurity {
  /** The Kafka super user the broker and the stack's admin client use. */
  public static final String KAFKA_ADMIN = "admin";
  static final String SCRAM = "SCRAM-SHA-512";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Certificates certificates;
  private final Map<String, String> kafkaPasswords;
  private final String controllerPassword;
  private final String postgresPassword;
  private final String redisPassword;

  private StackSecurity(
      Certificates certificates,
      Map<String, String> kafkaPasswords,
      String controllerPassword,
      String postgresPassword,
      String redisPassword) {
    this.certificates = certificates;
    this.kafkaPasswords = kafkaPasswords;
    this.controllerPassword = controllerPassword;
    this.postgresPassword = postgresPassword;
    this.redisPassword = redisPassword;
  }

  /** New passwords for {@value #KAFKA_ADMIN} and {@code kafkaUsers}, and certificates in {@code dir}. */
  static StackSecurity create(Path dir, Collection<String> kafkaUsers) throws IOException {
    Map<String, String> passwords = new LinkedHashMap<>();
    passwords.put(KAFKA_ADMIN, newPassword());
    kafkaUsers.forEach(user -> passwords.put(user, newPassword()));
    return new StackSecurity(
        Certificates.create(dir, newPassword()), passwords, newPassword(), newPassword(), newPassword());
  }

  /** 192 random bits in hex: nothing that needs quoting in JAAS, SCRAM arguments or SQL. */
  private static String newPassword() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** The authority every server certificate chains to (PEM; not secret): what clients trust. */
  public Path caCertificate() {
    return certificates.caCertificate();
  }

  /** The Kafka users, {@value #KAFKA_ADMIN} first. */
  public Set<String> kafkaUsers() {
    return kafkaPasswords.keySet();
  }

  /** {@code user}'s SCRAM password. */
  public String kafkaPassword(String user) {
    String password = kafkaPasswords.get(user);
    if (password == null) {
      throw new IllegalArgumentException("No Kafka user " + user + "; users: " + kafkaUsers());
    }
    return password;
  }

  /** The client properties with which {@code user} connects: SASL_SSL, SCRAM-SHA-512, the CA. */
  public Map<String, String> kafkaClientProperties(String user) {
    return kafkaClientProperties(user, kafkaPassword(user));
  }

  /** Like {@link #kafkaClientProperties(String)}, with any password (e.g. a wrong one). */
  public Map<String, String> kafkaClientProperties(String user, String password) {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("security.protocol", "SASL_SSL");
    properties.put("sasl.mechanism", SCRAM);
    properties.put("sasl.jaas.config", jaas("org.apache.kafka.common.security.scram.ScramLoginModule", user, password, ""));
    properties.put("ssl.truststore.type", "PEM");
    properties.put("ssl.truststore.location", caCertificate().toString());
    return properties;
  }

  /**
   * Writes {@code user}'s client properties to {@code file}, readable by its owner only: what
   * {@code --kafkaPropertiesFile} reads.
   */
  public Path writeKafkaClientProperties(String user, Path file) {
    Properties properties = new Properties();
    properties.putAll(kafkaClientProperties(user));
    try {
      writeOwnerOnly(file, "");
      try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        properties.store(out, "Kafka client properties of " + user + " on the secured local stack");
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }

  /** Writes {@code secret} to {@code file}, readable by its owner only; returns the file. */
  public static Path writeOwnerOnly(Path file, String secret) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    return Files.writeString(file, secret, StandardCharsets.UTF_8);
  }

  /** The password of PostgreSQL's {@code postgres} user. */
  public String postgresPassword() {
    return postgresPassword;
  }

  /** Redis's {@code requirepass}. */
  public String redisPassword() {
    return redisPassword;
  }

  /** Every secret of the stack, to search logs and APIs for. */
  public List<String> secrets() {
    List<String> secrets = new ArrayList<>(kafkaPasswords.values());
    secrets.addAll(List.of(controllerPassword, postgresPassword, redisPassword, certificates.storePassword()));
    return secrets;
  }

  Certificates certificates() {
    return certificates;
  }

  /** {@code kafka-storage format --add-scram} arguments: every user's SCRAM-SHA-512 credential. */
  List<String> scramArguments() {
    return kafkaPasswords.entrySet().stream()
        .map(user -> SCRAM + "=[name=" + user.getKey() + ",password=" + user.getValue() + "]")
        .toList();
  }

  /**
   * Turns the plain single-node settings into the secured ones: the broker listener {@code
   * SASL_SSL}, the controller's {@code SASL_PLAINTEXT} with PLAIN, and the authorizer.
   */
  void secure(Properties props, String brokerListener, String controllerListener) {
    props.put("listener.security.protocol.map", brokerListener + ":SASL_SSL," + controllerListener + ":SASL_PLAINTEXT");
    props.put("sasl.enabled.mechanisms", SCRAM);
    props.put("sasl.mechanism.inter.broker.protocol", SCRAM);
    String broker = "listener.name." + brokerListener.toLowerCase() + ".";
    props.put(broker + "scram-sha-512.sasl.jaas.config",
        jaas("org.apache.kafka.common.security.scram.ScramLoginModule", KAFKA_ADMIN, kafkaPassword(KAFKA_ADMIN), ""));
    String controller = "listener.name." + controllerListener.toLowerCase() + ".";
    props.put("sasl.mechanism.controller.protocol", "PLAIN");
    props.put(controller + "sasl.enabled.mechanisms", "PLAIN");
    props.put(controller + "plain.sasl.jaas.config",
        jaas("org.apache.kafka.common.security.plain.PlainLoginModule", KAFKA_ADMIN, controllerPassword,
            " user_" + KAFKA_ADMIN + "=\"" + controllerPassword + "\""));
    props.put("ssl.keystore.type", "PKCS12");
    props.put("ssl.keystore.location", certificates.serverKeystore().toString());
    props.put("ssl.keystore.password", certificates.storePassword());
    props.put("ssl.key.password", certificates.storePassword());
    // The broker is its own inter-broker client: it checks its certificate like any client.
    props.put("ssl.truststore.type", "PEM");
    props.put("ssl.truststore.location", caCertificate().toString());
    props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    props.put("super.users", "User:" + KAFKA_ADMIN);
    props.put("allow.everyone.if.no.acl.found", "false");
  }

  private static String jaas(String module, String user, String password, String extra) {
    return module + " required username=\"" + user + "\" password=\"" + password + "\"" + extra + ";";
  }
}
