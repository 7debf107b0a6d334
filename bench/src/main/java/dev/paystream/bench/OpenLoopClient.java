package dev.paystream.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * An open-loop HTTP/1.1 GET load generator, as {@code wrk2} is: request {@code i} is due at {@code
 * start + i / rate} whatever happened to the earlier ones, and its latency counts from that due
 * time, so a stall shows up in the percentiles instead of slowing the client down (no coordinated
 * omission). {@code connections} threads each keep one connection alive and take the next request
 * as soon as they are free; when all are busy, a due request waits for one, and that wait counts.
 *
 * <p>A blocking socket per thread, not {@code java.net.http.HttpClient}: on two shared cores the
 * client's own cost is part of every figure, and this one costs a write and a read per request
 * (the JDK client adds a selector thread, executor hops and, by default, an HTTP/2 upgrade attempt).
 */
final class OpenLoopClient {
  /** What one run gave: per request, its latency from its due time, and how late it was sent. */
  record Run(long[] latencyNanos, long[] sendDelayNanos, long errors, Map<String, Long> errorKinds, double seconds) {}

  /** Judges a response: null if it is the expected answer, else the kind of error it counts as. */
  @FunctionalInterface
  interface Check {
    String problem(int status, byte[] body);
  }

  private final URI server;
  private final int connections;

  OpenLoopClient(URI server, int connections) {
    this.server = server;
    this.connections = connections;
  }

  /** Sends {@code rate × seconds} GETs of {@code path(i)} on schedule and waits for every answer. */
  Run run(int rate, int seconds, IntFunction<String> path, Check check) throws InterruptedException {
    int total = rate * seconds;
    long[] latency = new long[total];
    long[] sendDelay = new long[total];
    Map<String, Long> errorKinds = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(connections);
    long start = System.nanoTime() + 1_000_000; // the threads start before the first is due
    for (int c = 0; c < connections; c++) {
      Thread worker =
          new Thread(
              () -> {
                try (Connection connection = new Connection(server)) {
                  for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                    long due = start + (long) i * 1_000_000_000L / rate;
                    long early = due - System.nanoTime();
                    if (early > 0) {
                      LockSupport.parkNanos(early);
                    }
                    sendDelay[i] = Math.max(0, System.nanoTime() - due);
                    String problem;
                    try {
                      problem = connection.get(path.apply(i), check);
                    } catch (IOException e) {
                      problem = e.getClass().getSimpleName();
                      connection.reset();
                    }
                    latency[i] = System.nanoTime() - due;
                    if (problem != null) {
                      errorKinds.merge(problem, 1L, Long::sum);
                    }
                  }
                } finally {
                  done.countDown();
                }
              },
              "load-" + c);
      worker.setDaemon(true);
      worker.start();
    }
    done.await();
    double elapsed = (System.nanoTime() - start) / 1e9;
    long errors = errorKinds.values().stream().mapToLong(Long::longValue).sum();
    return new Run(latency, sendDelay, errors, Map.copyOf(errorKinds), elapsed);
  }

  /** One kept-alive connection; reopened after an error. */
  private static final class Connection implements AutoCloseable {
    private final URI server;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    Connection(URI server) {
      this.server = server;
    }

    String get(String path, Check check) throws IOException {
      if (socket == null) {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), 10_000);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream(), 16_384);
      }
      String request = "GET " + path + " HTTP/1.1\r\nHost: " + server.getHost() + ":" + server.getPort() + "\r\n\r\n";
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String statusLine = line();
      int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
      int length = -1;
      boolean close = false;
      for (String header = line(); !header.isEmpty(); header = line()) {
        String lower = header.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Integer.parseInt(lower.substring("content-length:".length()).strip());
        } else if (lower.startsWith("connection:") && lower.contains("close")) {
          close = true;
        }
      }
      if (length < 0) {
        throw new IOException("response without Content-Length: " + statusLine);
      }
      byte[] body = in.readNBytes(length);
      if (body.length < length) {
        throw new IOException("connection closed mid-body");
      }
      if (close) {
        reset();
      }
      return check.problem(status, body);
    }

    private String line() throws IOException {
      StringBuilder line = new StringBuilder();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new IOException("connection closed by the server");
        }
        if (b != '\r') {
          line.append((char) b);
        }
      }
      return line.toString();
    }

    void reset() {
      close();
      socket = null;
    }

    @Override
    public void close() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException e) {
          // closing a broken connection: nothing left to do with it
        }
      }
    }
  }
}
