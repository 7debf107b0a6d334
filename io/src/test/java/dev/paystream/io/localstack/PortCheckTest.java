package dev.paystream.io.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** The port checks run before any server starts, so these tests start nothing. */
class PortCheckTest {

  @Test
  void takenPostgresPortNamesServiceAndOption() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(Ports.HOST))) {
      LocalStack.Builder builder =
          LocalStack.builder().kafkaPort(0).postgresPort(taken.getLocalPort()).redisPort(0);

      PortInUseException e = assertThrows(PortInUseException.class, builder::start);

      assertEquals("PostgreSQL", e.service());
      assertEquals(taken.getLocalPort(), e.port());
      assertEquals(
          "PostgreSQL port "
              + taken.getLocalPort()
              + " on 127.0.0.1 is already in use; pass --postgresPort=<free port> (0 picks one)"
              + " or stop the other process",
          e.getMessage());
    }
  }

  @Test
  void takenRedisPortIsReported() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(Ports.HOST))) {
      LocalStack.Builder builder =
          LocalStack.builder().kafkaPort(0).postgresPort(0).redisPort(taken.getLocalPort());

      PortInUseException e = assertThrows(PortInUseException.class, builder::start);

      assertEquals("Redis", e.service());
    }
  }

  @Test
  void freePortsAreDistinct() {
    int[] ports = Ports.pickFree(4);

    assertEquals(4, java.util.Arrays.stream(ports).distinct().count());
  }
}
