package dev.paystream.pipelines.readme;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;

/**
 * The checkout's sources (no build output, no git data, no benchmark results) copied to a
 * directory of their own: where a README command that builds can run without rebuilding the
 * modules under test (the running test's classpath holds their jars).
 */
final class SourceCopy {
  /** Directories left out wherever they are. */
  private static final Set<String> SKIPPED = Set.of("target", ".git", ".idea", "results");

  private SourceCopy() {}

  /** Copies {@link Readme#ROOT} to {@code destination} (emptied first); returns {@code destination}. */
  static Path of(Path destination) throws IOException {
    deleteRecursively(destination);
    Path root = Readme.ROOT;
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        if (!dir.equals(root) && SKIPPED.contains(dir.getFileName().toString())) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        Files.createDirectories(destination.resolve(root.relativize(dir)));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (SKIPPED.contains(file.getFileName().toString())) {
          return FileVisitResult.CONTINUE; // a worktree's .git is a file
        }
        Files.copy(file, destination.resolve(root.relativize(file)), StandardCopyOption.COPY_ATTRIBUTES);
        return FileVisitResult.CONTINUE;
      }
    });
    return destination;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
