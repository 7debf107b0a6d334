package dev.paystream.io.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordTest {
  private static final String UNSET = "PAYSTREAM_TEST_UNSET_" + System.nanoTime();

  @Test
  void readsTheFileWithoutItsLineBreakWhenTheVariableIsUnset(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("pw"), "s3cret\n");
    Password password = new Password(UNSET, file.toString());
    assertEquals(Optional.of("s3cret"), password.read());
    assertFalse(password.toString().contains("s3cret"), password.toString());
  }

  @Test
  void aSetVariableWinsOverTheFile(@TempDir Path dir) throws Exception {
    // PATH is set in every environment the tests run in.
    Password password = new Password("PATH", Files.writeString(dir.resolve("pw"), "s3cret").toString());
    assertEquals(Optional.of(System.getenv("PATH")), password.read());
  }

  @Test
  void noneIsEmptyAndAMissingFileFailsNamingTheFileOnly(@TempDir Path dir) {
    assertTrue(Password.NONE.read().isEmpty());
    assertTrue(new Password(UNSET, " ").read().isEmpty());
    UncheckedIOException missing =
        assertThrows(UncheckedIOException.class, () -> new Password(null, dir.resolve("absent").toString()).read());
    assertTrue(missing.getMessage().contains("absent"), missing.getMessage());
  }
}
