package dev.paystream.io.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paystream.io.retry.RetryPolicy;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class ReconnectingConnectionTest {

  private final List<FakeConnection> borrowed = new ArrayList<>();
  private final DataSource pool =
      proxy(
          DataSource.class,
          (self, method, args) -> {
            FakeConnection fake = new FakeConnection();
            borrowed.add(fake);
            return fake.connection;
          });
  private final Connection connection =
      ReconnectingConnection.create(
          pool,
          RetryPolicy.of(0, Duration.ofMillis(1), Duration.ofMillis(1))
              .retrier("test", "connect", TransientSqlFailures::isTransient));

  @Test
  void borrowsOnFirstUseWithTheRequestedAutoCommit() throws SQLException {
    assertTrue(borrowed.isEmpty());

    connection.setAutoCommit(false);
    connection.prepareStatement("SELECT 1");

    assertEquals(1, borrowed.size());
    assertFalse(borrowed.get(0).autoCommit);
  }

  @Test
  void deadConnectionIsReplacedWhenTheNextStatementStarts() throws SQLException {
    connection.setAutoCommit(false);
    connection.prepareStatement("INSERT ...");
    FakeConnection first = borrowed.get(0);
    first.broken = true;

    connection.rollback(); // the server rolled back with the session: nothing to do, no error
    connection.prepareStatement("INSERT ...");

    assertEquals(2, borrowed.size());
    assertTrue(first.closed);
    assertFalse(first.calls.contains("rollback"));
    assertFalse(borrowed.get(1).autoCommit);
  }

  @Test
  void commitOnADeadConnectionFailsRatherThanCommittingOnAFreshOne() throws SQLException {
    connection.prepareStatement("INSERT ...");
    borrowed.get(0).broken = true;

    assertThrows(SQLException.class, connection::commit);
    assertEquals(1, borrowed.size());
  }

  @Test
  void closeReturnsTheConnectionAndTheNextUseBorrowsAgain() throws SQLException {
    connection.prepareStatement("SELECT 1");
    connection.close();
    connection.prepareStatement("SELECT 1");

    assertTrue(borrowed.get(0).closed);
    assertEquals(2, borrowed.size());
  }

  /** A pooled connection as HikariCP hands it out: closed once the server dropped it. */
  private static final class FakeConnection implements InvocationHandler {
    final Connection connection = proxy(Connection.class, this);
    final List<String> calls = new ArrayList<>();
    boolean autoCommit = true;
    boolean broken;
    boolean closed;

    @Override
    public Object invoke(Object self, Method method, Object[] args) throws SQLException {
      calls.add(method.getName());
      switch (method.getName()) {
        case "isClosed":
          return broken || closed;
        case "close":
          closed = true;
          return null;
        default:
          if (broken) {
            throw new SQLException("This connection has been closed.", "08003");
          }
          if (method.getName().equals("setAutoCommit")) {
            autoCommit = (Boolean) args[0];
          }
          return null;
      }
    }
  }

  private static <T> T proxy(Class<T> type, InvocationHandler handler) {
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
  }
}
