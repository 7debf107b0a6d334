package dev.paystream.io.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ShutdownParams;
import redis.embedded.RedisServer;

/**
 * A Redis 6.2 server from the binary that {@code embedded-redis} ships. Persistence is off: the
 * data lives in memory and is gone when the server stops, except across {@link #stop} and {@link
 * #resume}, which save and reload it, to test how clients live through an outage.
 */
final class LocalRedis implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalRedis.class);

  private final RedisServer server;
  private final int port;

  private LocalRedis(RedisServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /** Starts Redis on 127.0.0.1:{@code port}, with {@code workDir} (wiped) as its directory. */
  static LocalRedis start(int port, Path workDir) throws IOException {
    RedisServer server =
        RedisServer.newRedisServer()
            .bind(Ports.HOST)
            .port(port)
            .setting("dir \"" + Directories.recreate(workDir) + "\"")
            .setting("save \"\"")
            .setting("appendonly no")
            // Without listeners nobody drains the server's output pipes once it is up, and Redis
            // would block as soon as a pipe buffer fills.
            .soutListener(LOG::debug)
            .serrListener(LOG::warn)
            .build();
    server.start();
    return new LocalRedis(server, port);
  }

  /**
   * Saves the data to the work directory and stops the server; does nothing if it is stopped.
   * SHUTDOWN SAVE does both in one step, so no write can slip in between and be lost.
   */
  synchronized void stop() {
    if (!server.isActive()) {
      return;
    }
    try (Jedis redis = new Jedis(Ports.HOST, port)) {
      redis.shutdown(ShutdownParams.shutdownParams().save());
      server.stop(); // reaps the exited process
    } catch (IOException e) {
      throw new UncheckedIOException("Could not stop Redis on port " + port, e);
    }
  }

  /** Starts the server again after {@link #stop}, with the saved data; does nothing if it runs. */
  synchronized void resume() throws IOException {
    server.start();
  }

  int port() {
    return port;
  }

  String url() {
    return "redis://" + Ports.HOST + ":" + port;
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not stop Redis on port " + port, e);
    }
  }
}
