package dev.paystream.io.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** File-system helpers for the stack's data directory. */
final class Directories {

  private Directories() {}

  /** Deletes {@code dir} and everything below it, then creates it again, empty. */
  static Path recreate(Path dir) {
    deleteRecursively(dir);
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not create " + dir, e);
    }
  }

  /** Deletes {@code dir} and everything below it; a missing directory is fine. */
  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      // Children sort after their parent, so reverse order empties each directory before it goes.
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not delete " + dir, e);
    }
  }
}
