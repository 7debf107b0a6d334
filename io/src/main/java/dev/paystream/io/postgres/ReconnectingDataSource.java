package dev.paystream.io.postgres;

import dev.paystream.io.retry.Retrier;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/** Hands out {@link ReconnectingConnection}s over a pool; everything else goes to the pool. */
final class ReconnectingDataSource implements DataSource {

  private final DataSource pool;
  private final Retrier connect;

  ReconnectingDataSource(DataSource pool, Retrier connect) {
    this.pool = pool;
    this.connect = connect;
  }

  @Override
  public Connection getConnection() {
    return ReconnectingConnection.create(pool, connect);
  }

  /** Unsupported: the pool's credentials are fixed by its {@link PostgresConnection}. */
  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("Credentials are set on the pool");
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return pool.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    pool.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    pool.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return pool.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return pool.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    return pool.unwrap(type);
  }

  @Override
  public boolean isWrapperFor(Class<?> type) throws SQLException {
    return pool.isWrapperFor(type);
  }
}
