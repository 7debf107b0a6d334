package dev.paystream.io.localstack;

/**
 * Thrown before anything is started when a port the local stack was asked to use is already taken,
 * so that a second stack (or a leftover process) fails fast instead of half-starting.
 */
public final class PortInUseException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final String service;
  private final int port;

  PortInUseException(String service, int port, String option) {
    super(
        String.format(
            "%s port %d on %s is already in use; pass --%s=<free port> (0 picks one) or stop the"
                + " other process",
            service, port, Ports.HOST, option));
    this.service = service;
    this.port = port;
  }

  /** The service whose port is taken: "Kafka", "PostgreSQL" or "Redis". */
  public String service() {
    return service;
  }

  /** The port that is taken. */
  public int port() {
    return port;
  }
}
