package dev.paystream.io.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ShutdownParams;
import java.util.ArrayList;
import java.util.List;
import redis.embedded.RedisServer;
import redis.embedded.core.RedisServerBuilder;

/**
 * A Redis 6.2 server from the binary that {@code embedded-redis} ships. Persistence is off: the
 * data lives in memory and is gone when the server stops, except across {@link #stop} and {@link
 * #resume}, which save and reload it, to test how clients live through an outage.
 */
final class LocalRedis implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalRedis.class);

  private final RedisServer server;
  private final int port;
  private final boolean secured;

  private LocalRedis(RedisServer server, int port, boolean secured) {
    this.server = server;
    this.port = port;
    this.secured = secured;
  }

  /**
   * Starts Redis on 127.0.0.1:{@code port}, with {@code workDir} (wiped) as its directory. With
   * {@code security} (null: plain) the port speaks TLS only and requires the password.
   */
  static LocalRedis start(int port, Path workDir, StackSecurity security) throws IOException {
    RedisServerBuilder builder = RedisServer.newRedisServer().bind(Ports.HOST).port(port);
    if (security != null) {
      Certificates certificates = security.certificates();
      // The binary that embedded-redis ships is built with TLS: the port becomes the TLS port and
      // the plain one is closed (port 0, below); clients need no certificate of their own.
      builder
          .setting("tls-port " + port)
          .setting("tls-cert-file \"" + certificates.serverCertificate() + "\"")
          .setting("tls-key-file \"" + certificates.serverKey() + "\"")
          .setting("tls-ca-cert-file \"" + certificates.caCertificate() + "\"")
          .setting("tls-auth-clients no")
          .setting("requirepass " + security.redisPassword());
    }
    builder
        .setting("dir \"" + Directories.recreate(workDir) + "\"")
        .setting("save \"\"")
        .setting("appendonly no")
        // Without listeners nobody drains the server's output pipes once it is up, and Redis
        // would block as soon as a pipe buffer fills.
        .soutListener(LOG::debug)
        .serrListener(LOG::warn);
    RedisServer server = security == null ? builder.build() : tlsOnly(builder, port);
    server.start();
    return new LocalRedis(server, port, security != null);
  }

  /**
   * The builder always passes {@code --port}, which would open the plain port too; a second
   * {@code --port 0} after it wins.
   */
  private static RedisServer tlsOnly(RedisServerBuilder builder, int port) throws IOException {
    List<String> args = new ArrayList<>(builder.buildCommandArgs());
    args.addAll(List.of("--port", "0"));
    return new RedisServer(port, args, true, LOG::debug, LOG::warn);
  }

  /**
   * Saves the data to the work directory and stops the server; does nothing if it is stopped.
   * SHUTDOWN SAVE does both in one step, so no write can slip in between and be lost.
   */
  synchronized void stop() {
    if (secured) {
      throw new UnsupportedOperationException("A secured Redis cannot be stopped and resumed");
    }
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
    return (secured ? "rediss://" : "redis://") + Ports.HOST + ":" + port;
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
