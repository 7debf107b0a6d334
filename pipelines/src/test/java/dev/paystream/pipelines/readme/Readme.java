package dev.paystream.pipelines.readme;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The fenced code blocks of the project's README.md, split into commands and SQL statements. */
final class Readme {
  private static final Pattern FENCE = Pattern.compile("(?ms)^```(\\w*)\\n(.*?)^```");
  /** A comment after a command: two spaces or more, then {@code #}, as the README writes them. */
  private static final Pattern TRAILING_COMMENT = Pattern.compile("\\s{2,}#\\s.*$");

  /** The checkout's root: the parent of the pipelines module the tests run in. */
  static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

  private final String text;

  private Readme(String text) {
    this.text = text;
  }

  static Readme read() throws IOException {
    return new Readme(Files.readString(ROOT.resolve("README.md")));
  }

  /**
   * Every command of every {@code ```bash} block: continuation lines joined, comment lines and
   * trailing comments dropped, runs of blanks collapsed to one space.
   */
  List<String> bashCommands() {
    List<String> commands = new ArrayList<>();
    for (String block : blocks("bash")) {
      String joined = block.replaceAll("\\\\\\n", " ");
      for (String line : joined.split("\\n")) {
        String command = TRAILING_COMMENT.matcher(line).replaceFirst("").strip();
        if (!command.isEmpty() && !command.startsWith("#")) {
          commands.add(normalize(command));
        }
      }
    }
    return commands;
  }

  /** Every statement of every {@code ```sql} block, without its semicolon. */
  List<String> sqlStatements() {
    List<String> statements = new ArrayList<>();
    for (String block : blocks("sql")) {
      for (String statement : block.split(";")) {
        if (!statement.isBlank()) {
          statements.add(normalize(statement));
        }
      }
    }
    return statements;
  }

  /** The bodies of the fenced blocks of {@code language}. */
  List<String> blocks(String language) {
    List<String> blocks = new ArrayList<>();
    Matcher fence = FENCE.matcher(text);
    while (fence.find()) {
      if (fence.group(1).equals(language)) {
        blocks.add(fence.group(2));
      }
    }
    return blocks;
  }

  static String normalize(String command) {
    return command.strip().replaceAll("\\s+", " ");
  }
}
