package dev.paystream.io.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Port checks and free-port picking on the loopback address every local service binds to. */
final class Ports {

  /** Every service listens here only, never on an external interface. */
  static final String HOST = "127.0.0.1";

  private Ports() {}

  /**
   * Fails with a message naming the service, the port and the option to change it if the port
   * cannot be bound right now.
   */
  static void requireFree(String service, int port, String option) {
    try (ServerSocket socket = bind(port)) {
      // Binding succeeded, so nothing listens there: the service may take it.
    } catch (IOException e) {
      throw new PortInUseException(service, port, option);
    }
  }

  /**
   * Returns {@code count} distinct free ports. The sockets stay open until all are picked, so the
   * kernel cannot hand out the same port twice; another process may still grab one before the
   * service binds it, which is an accepted race for a local stack.
   */
  static int[] pickFree(int count) {
    List<ServerSocket> sockets = new ArrayList<>(count);
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = bind(0);
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not find a free port on " + HOST, e);
    } finally {
      sockets.forEach(Ports::closeQuietly);
    }
  }

  private static ServerSocket bind(int port) throws IOException {
    ServerSocket socket = new ServerSocket();
    try {
      // The servers bind with SO_REUSEADDR as well, so a port held only by a TIME_WAIT socket of a
      // previous run counts as free; a live listener still makes the bind fail.
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
      return socket;
    } catch (IOException e) {
      closeQuietly(socket);
      throw e;
    }
  }

  private static void closeQuietly(ServerSocket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Nothing was listening on it yet, so there is nothing to clean up.
    }
  }
}
