package dev.paystream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointSizeTest {
  @Test
  void latestCompletedCheckpointWithSharedFiles(@TempDir Path storage) throws Exception {
    Path job = storage.resolve("0123456789abcdef0123456789abcdef");
    write(job.resolve("chk-3/_metadata"), 100);
    write(job.resolve("chk-3/state-a"), 1_000);
    write(job.resolve("chk-3/sub/state-b"), 500);
    write(job.resolve("chk-12/_metadata"), 100);
    write(job.resolve("chk-12/state"), 2_000);
    // in progress: no _metadata yet
    write(job.resolve("chk-13/state"), 9_999);
    write(job.resolve("shared/incremental"), 300);
    write(job.resolve("taskowned/ignored"), 7);

    CheckpointSize latest = CheckpointSize.latest(storage).orElseThrow();
    assertEquals(12, latest.checkpointId()); // numerically, not "chk-3" > "chk-12"
    assertEquals(2_100 + 300, latest.bytes());
  }

  @Test
  void nothingBeforeTheFirstCheckpoint(@TempDir Path storage) throws Exception {
    assertTrue(CheckpointSize.latest(storage.resolve("missing")).isEmpty());
    Files.createDirectories(storage.resolve("job/chk-1"));
    assertTrue(CheckpointSize.latest(storage).isEmpty());
  }

  private static void write(Path file, int bytes) throws Exception {
    Files.createDirectories(file.getParent());
    Files.write(file, new byte[bytes]);
  }
}
