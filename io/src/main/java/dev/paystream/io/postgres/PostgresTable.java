package dev.paystream.io.postgres;

import java.io.Serializable;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A table that {@link UpsertToPostgres} writes: its columns, each bound from a field of {@code T},
 * and the idempotent upsert of one row. The tables themselves are created by the Flyway migrations
 * in {@code db/migration}.
 */
public abstract class PostgresTable<T> implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String name;
  private final int keyColumns;

  /**
   * @param keyColumns how many of {@link #columns()}, from the first, make the primary key
   */
  PostgresTable(String name, int keyColumns) {
    this.name = name;
    this.keyColumns = keyColumns;
  }

  /** The table's columns, the primary key's first, in the order the upsert binds them. */
  abstract List<Column<T>> columns();

  /**
   * The condition, over the stored row ({@code <table>.<column>}) and the incoming one ({@code
   * EXCLUDED.<column>}), under which the incoming row replaces the stored one.
   */
  abstract String replaceWhen();

  public String name() {
    return name;
  }

  /** Inserts a row, or replaces the row with its key when {@link #replaceWhen()} holds. */
  final String upsert() {
    List<String> names = columns().stream().map(Column::name).toList();
    List<String> updated = names.subList(keyColumns, names.size());
    return "INSERT INTO " + name + " (" + String.join(", ", names) + ") VALUES ("
        + names.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")"
        + " ON CONFLICT (" + String.join(", ", names.subList(0, keyColumns)) + ") DO UPDATE SET "
        + updated.stream().map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "))
        + " WHERE " + replaceWhen();
  }

  /** The stored value of every non-key column, as a row: {@code (t.a, t.b, ...)}. */
  final String storedRow() {
    return row(name + ".");
  }

  /** The incoming value of every non-key column, as a row: {@code (EXCLUDED.a, ...)}. */
  final String incomingRow() {
    return row("EXCLUDED.");
  }

  /** Binds {@code value} to the parameters of {@link #upsert()}. */
  final void bind(T value, PreparedStatement statement) throws SQLException {
    List<Column<T>> columns = columns();
    for (int i = 0; i < columns.size(); i++) {
      columns.get(i).binder().bind(value, statement, i + 1);
    }
  }

  private String row(String prefix) {
    return columns().stream()
        .skip(keyColumns)
        .map(c -> prefix + c.name())
        .collect(Collectors.joining(", ", "(", ")"));
  }

  /** A column and how it is bound from a {@code T}. */
  record Column<T>(String name, Binder<T> binder) {}

  /** Sets one statement parameter from a {@code T}. */
  @FunctionalInterface
  interface Binder<T> {
    void bind(T value, PreparedStatement statement, int index) throws SQLException;
  }
}
