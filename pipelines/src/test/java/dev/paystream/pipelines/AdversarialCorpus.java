package dev.paystream.pipelines;

import dev.paystream.schemas.PaymentEvent;
import dev.paystream.transforms.validate.InvalidPaymentException;
import dev.paystream.transforms.validate.PaymentFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What a hostile or sloppy producer sends ({@code src/test/resources/adversarial/}), each record
 * with the one outcome it must have: decided, dropped as a duplicate, or dead-lettered with a
 * reason. {@code manifest.tsv} lists the cases; text cases are files with placeholders filled in
 * here (an id per case, the current time in several spellings), binary and huge ones are built here.
 */
public final class AdversarialCorpus {
  public static final String DECIDED = "DECIDED";
  public static final String DUPLICATE = "DUPLICATE";

  /** One record: {@code value} null for a tombstone; {@code expected} DECIDED, DUPLICATE or a reason. */
  public record Case(String name, String expected, byte[] value, String transactionId) {
    @Override
    public String toString() {
      return name + " -> " + expected;
    }
  }

  private AdversarialCorpus() {}

  /** The cases in manifest order, their valid event times a minute before {@code nowMillis}. */
  public static List<Case> load(long nowMillis) {
    Instant now = Instant.ofEpochMilli(nowMillis - 60_000);
    Map<String, Case> cases = new LinkedHashMap<>();
    for (String line : text("manifest.tsv").split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] columns = line.split("\t");
      String expected = columns[0];
      String name = columns[1];
      String id = "adv-" + name;
      byte[] value = name.startsWith("@") ? built(name, now, cases) : template(name, id, now);
      if (name.startsWith("@resend:")) {
        id = cases.get(name.substring("@resend:".length())).transactionId();
      }
      cases.put(name, new Case(name, expected, value, id));
    }
    return List.copyOf(cases.values());
  }

  private static byte[] built(String name, Instant now, Map<String, Case> earlier) {
    byte[] avro = PaymentFormat.AVRO.encode(validPayment("adv-" + name, now));
    byte[] header = Arrays.copyOf(avro, 10); // magic C3 01 + the current schema's fingerprint
    String json = new String(template("valid.json", "adv-" + name, now), StandardCharsets.UTF_8);
    String withField = json.substring(0, json.length() - 1) + ",\"extra\":%s}";
    return switch (name.startsWith("@resend:") ? "@resend" : name) {
      case "@resend" -> earlier.get(name.substring("@resend:".length())).value();
      case "@tombstone" -> null;
      case "@empty" -> new byte[0];
      case "@nested-arrays-10000" -> utf8(String.format(withField, "[".repeat(10_000) + "]".repeat(10_000)));
      case "@string-20000" -> utf8(String.format(withField, "\"" + "s".repeat(20_000) + "\""));
      case "@string-1MiB" -> utf8(json.replace("\"failure_reason\":null", "\"failure_reason\":\"" + "r".repeat(1 << 20) + "\""));
      case "@avro" -> avro;
      case "@avro-trailing-bytes" -> Arrays.copyOf(avro, avro.length + 3);
      case "@avro-truncated" -> Arrays.copyOf(avro, avro.length / 2);
      case "@avro-huge-length" -> concat(header, new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F});
      case "@avro-garbage" -> {
        byte[] ff = new byte[64];
        Arrays.fill(ff, (byte) 0xFF);
        yield concat(header, ff);
      }
      case "@avro-unknown-fingerprint" -> concat(new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8}, Arrays.copyOfRange(avro, 10, avro.length));
      case "@binary-garbage" -> {
        byte[] bytes = new byte[256];
        new Random(7).nextBytes(bytes);
        bytes[0] = (byte) 0x80; // neither JSON nor the Avro magic
        yield bytes;
      }
      default -> throw new IllegalArgumentException("no built case " + name);
    };
  }

  private static PaymentEvent validPayment(String id, Instant now) {
    try {
      return PaymentFormat.JSON.decode(template("valid.json", id, now));
    } catch (InvalidPaymentException e) {
      throw new IllegalStateException("valid.json is not valid", e);
    }
  }

  private static byte[] template(String file, String id, Instant now) {
    if (file.equals("bom.json")) {
      byte[] json = template("valid.json", id, now);
      return concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, json);
    }
    return utf8(
        text(file)
            .replace("{{ID}}", id)
            .replace("{{NOW}}", now.toString())
            .replace("{{NOW_OFFSET}}", DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'+00:00'").withZone(ZoneOffset.UTC).format(now))
            .replace("{{NOW_PY}}", DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'+00:00'").withZone(ZoneOffset.UTC).format(now))
            .replace("{{NOW_MS}}", Long.toString(now.toEpochMilli()))
            .replace("{{NOW_S}}", Long.toString(now.getEpochSecond())));
  }

  private static String text(String file) {
    try (InputStream in = AdversarialCorpus.class.getResourceAsStream("/adversarial/" + file)) {
      if (in == null) {
        throw new IllegalArgumentException("no corpus file " + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  /** How many cases expect {@code outcome}. */
  public static long count(List<Case> cases, String outcome) {
    return cases.stream().filter(c -> c.expected().equals(outcome)).count();
  }

  /** The cases that must become dead letters. */
  public static List<Case> deadLettered(List<Case> cases) {
    List<Case> letters = new ArrayList<>();
    cases.stream().filter(c -> !c.expected().equals(DECIDED) && !c.expected().equals(DUPLICATE)).forEach(letters::add);
    return letters;
  }
}
