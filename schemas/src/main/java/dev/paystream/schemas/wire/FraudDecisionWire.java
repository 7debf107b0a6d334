package dev.paystream.schemas.wire;

import dev.paystream.schemas.FraudDecision;
import java.io.IOException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.MessageDecoder;
import org.apache.avro.specific.SpecificData;

/**
 * Reads decisions from the decisions topic whichever release wrote them. {@code
 * FraudDecision.getDecoder()} knows the current schema only, and every new CustomerFeatures version
 * (a decision carries its features) changes the decision's fingerprint: a job restarted on a new
 * release read its predecessor's committed decisions as "not a FraudDecision" and skipped them.
 * This decoder knows every released version ({@code history/FraudDecision-vN.avsc}) and resolves
 * them into the current class; fields an older release did not write take their defaults.
 */
public final class FraudDecisionWire {
  // BinaryMessageDecoder is thread-safe (as FraudDecision's own static decoder): one for all.
  private static final BinaryMessageDecoder<FraudDecision> DECODER = create();

  private FraudDecisionWire() {}

  /** The decoder of every released FraudDecision schema, e.g. for {@code CommittedTopicReader.values}. */
  public static MessageDecoder<FraudDecision> decoder() {
    return DECODER;
  }

  /** A decision written by any release. */
  public static FraudDecision decode(byte[] bytes) throws IOException {
    return DECODER.decode(bytes);
  }

  private static BinaryMessageDecoder<FraudDecision> create() {
    BinaryMessageDecoder<FraudDecision> decoder =
        new BinaryMessageDecoder<>(SpecificData.getForClass(FraudDecision.class), FraudDecision.getClassSchema());
    SchemaHistory.releasedVersions("FraudDecision").forEach(decoder::addSchema);
    return decoder;
  }
}
