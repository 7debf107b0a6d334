package dev.paystream.transforms.validate;

import dev.paystream.schemas.DeadLetter;
import dev.paystream.schemas.SourceRecord;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Dead letters that always fit their topic, whatever the record they stand for: the payload is
 * kept up to a bound (beyond it, its first bytes, with the original size and SHA-256 to match it
 * with the record), the message is cut to {@value #MAX_MESSAGE_CHARS} characters. A dead letter
 * larger than the producer's {@code max.request.size} made the exactly-once sink throw, and the
 * pipeline stopped for good on one oversized record.
 */
public final class DeadLetters {
  /** Messages are for humans; a parser's echo of a 1 MiB token is not. */
  public static final int MAX_MESSAGE_CHARS = 1_000;

  /**
   * What a dead letter holds besides its payload, at most: the message (UTF-8: 3 bytes a char),
   * the source topic (Kafka caps names at 249 characters), stage, reason, hash and numbers.
   */
  public static final int MAX_METADATA_BYTES = 4_096;

  private DeadLetters() {}

  /**
   * A dead letter for {@code record}, whose payload is kept whole if it has at most {@code
   * maxPayloadBytes}, else cut to that many: the letter never exceeds {@code maxPayloadBytes +
   * }{@link #MAX_METADATA_BYTES} encoded.
   */
  public static DeadLetter of(
      SourceRecord record, String stage, DeadLetterReason reason, String message, long failedAt, int maxPayloadBytes) {
    ByteBuffer payload = record.getPayload();
    DeadLetter.Builder letter =
        DeadLetter.newBuilder()
            .setSourceTopic(record.getTopic())
            .setSourcePartition(record.getPartition())
            .setSourceOffset(record.getOffset())
            .setStage(stage)
            .setErrorCode(reason.name())
            .setMessage(bounded(message))
            .setFailedAt(failedAt);
    if (payload == null) {
      return letter.setPayload(null).build();
    }
    ByteBuffer original = payload.duplicate();
    ByteBuffer kept = original.duplicate();
    if (kept.remaining() > maxPayloadBytes) {
      kept.limit(kept.position() + maxPayloadBytes);
    }
    return letter
        .setPayload(kept.slice())
        .setPayloadSize(original.remaining())
        .setPayloadSha256(ByteBuffer.wrap(sha256(original)))
        .build();
  }

  /** True if the letter holds only the first bytes of its record's value. */
  public static boolean truncated(DeadLetter letter) {
    return letter.getPayload() != null
        && letter.getPayloadSize() != null
        && letter.getPayload().remaining() < letter.getPayloadSize();
  }

  static String bounded(String message) {
    String text = message == null ? "" : message;
    if (text.length() <= MAX_MESSAGE_CHARS) {
      return text;
    }
    int cut = MAX_MESSAGE_CHARS - 40;
    if (Character.isHighSurrogate(text.charAt(cut - 1))) {
      cut--;
    }
    return text.substring(0, cut) + "... (" + text.length() + " characters)";
  }

  private static byte[] sha256(ByteBuffer bytes) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(bytes.duplicate());
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
