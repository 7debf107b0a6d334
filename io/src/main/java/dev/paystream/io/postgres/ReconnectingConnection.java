package dev.paystream.io.postgres;

import dev.paystream.io.retry.Retrier;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Connection} that replaces its pooled connection when that one broke, waiting for the
 * server to come back.
 *
 * <p>JdbcIO's writer keeps one connection for a whole bundle and, when a batch fails with a
 * retryable error, rolls back and prepares the statement again <em>on that same connection</em>.
 * After a server restart that connection is dead, so the retry would fail too and the bundle
 * with it. This wrapper makes the retry work: rolling back a dead connection is a no-op (the
 * server aborted the transaction with the session), and the next statement goes to a fresh
 * connection, which it waits for, under the {@link Retrier}, while the server is down.
 *
 * <p>A fresh connection is taken only where work starts (a statement is created), never in the
 * middle of a transaction: a {@code commit} on a dead connection fails, so it cannot pretend to
 * commit work that died with the old session.
 */
final class ReconnectingConnection implements InvocationHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ReconnectingConnection.class);

  private static final Set<String> STATEMENT_FACTORIES =
      Set.of("createStatement", "prepareStatement", "prepareCall");

  private final DataSource pool;
  private final Retrier connect;
  private Connection current;
  private boolean autoCommit = true;

  private ReconnectingConnection(DataSource pool, Retrier connect) {
    this.pool = pool;
    this.connect = connect;
  }

  /** A connection that borrows from {@code pool} lazily, waiting under {@code connect}. */
  static Connection create(DataSource pool, Retrier connect) {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            new ReconnectingConnection(pool, connect));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return method.invoke(this, args);
    }
    switch (method.getName()) {
      case "close" -> {
        release();
        return null;
      }
      case "rollback" -> {
        if (args == null && isDead()) {
          return null;
        }
      }
      case "setAutoCommit" -> autoCommit = (Boolean) args[0];
      default -> {
        if (STATEMENT_FACTORIES.contains(method.getName()) && isDead()) {
          release();
        }
      }
    }
    try {
      return method.invoke(borrowed(), args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private boolean isDead() throws SQLException {
    return current == null || current.isClosed();
  }

  private Connection borrowed() throws SQLException {
    if (current == null) {
      Connection fresh = connect.call(pool::getConnection);
      fresh.setAutoCommit(autoCommit);
      current = fresh;
    }
    return current;
  }

  private void release() {
    Connection old = current;
    current = null;
    if (old == null) {
      return;
    }
    try {
      old.close();
    } catch (SQLException e) {
      // Closing rolls back whatever was not committed; if that fails the session is gone, the
      // server has rolled it back, and the pool has discarded the connection. Nothing is lost.
      LOG.debug("Closing a broken connection failed: {}", e.toString());
    }
  }
}
