package dev.paystream.io.http;

/**
 * Turns Nagle's algorithm off for every JDK {@code com.sun.net.httpserver.HttpServer} of this JVM
 * (the query service's, and the Prometheus endpoint's, which is one too).
 *
 * <p>Why: JDK 17's server writes a response's status line and headers, flushes them, and then
 * writes the body: two small segments. With Nagle on (the JDK's default), the body waits until the
 * client acknowledges the headers, and a Linux client that is in request/response rhythm delays
 * that acknowledgement by about 40 ms. A kept-alive connection then answers about 25 requests a
 * second whatever the server's speed: the query service's load test queued up to 21 s at 1,000
 * requests/s over 32 connections before this (OpenJDK JDK-8294610 and JDK-8323276 hit the same in
 * the JDK's own tests).
 *
 * <p>The server reads the switch, the system property {@code sun.net.httpserver.nodelay}, once per
 * JVM, when the first server is created: {@link #enable} must run before that, which is why both
 * servers' code calls it first. A property set on the command line is left as it is. In a Flink
 * TaskManager, Flink's Prometheus reporter (a JDK server too) may start first, and there the switch
 * takes effect only from {@code env.java.opts}; a scrape every few seconds hardly notices 40 ms.
 */
public final class TcpNoDelay {
  /** The JDK server's switch (sun.net.httpserver.ServerConfig). */
  public static final String PROPERTY = "sun.net.httpserver.nodelay";

  private TcpNoDelay() {}

  /** Sets the switch unless it is set already; effective if no JDK HTTP server was created yet. */
  public static void enable() {
    if (System.getProperty(PROPERTY) == null) {
      System.setProperty(PROPERTY, "true");
    }
  }
}
