package dev.paystream.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Size on disk of the latest completed Flink checkpoint under a checkpoint storage path: the
 * {@code chk-<n>} directory with the highest n that has its {@code _metadata} (written last), with
 * the job's {@code shared/} files (incremental backends keep state there).
 */
record CheckpointSize(long checkpointId, long bytes) {
  private static final Pattern CHK = Pattern.compile("chk-(\\d+)");

  static Optional<CheckpointSize> latest(Path storage) {
    if (!Files.isDirectory(storage)) {
      return Optional.empty();
    }
    try (Stream<Path> walk = Files.walk(storage, 3)) {
      return walk.filter(Files::isDirectory)
          .filter(dir -> CHK.matcher(dir.getFileName().toString()).matches())
          .filter(dir -> Files.exists(dir.resolve("_metadata")))
          .max(Comparator.comparingLong(CheckpointSize::id))
          .map(dir -> new CheckpointSize(id(dir), size(dir) + size(dir.resolveSibling("shared"))));
    } catch (IOException | UncheckedIOException e) {
      // A checkpoint being subsumed while we walk: try again at the next sample.
      return Optional.empty();
    }
  }

  private static long id(Path dir) {
    Matcher m = CHK.matcher(dir.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  static long size(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).mapToLong(file -> {
        try {
          return Files.size(file);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }
}
