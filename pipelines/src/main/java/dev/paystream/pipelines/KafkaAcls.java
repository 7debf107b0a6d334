package dev.paystream.pipelines;

import dev.paystream.io.kafka.WriteExactlyOnce;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The Kafka ACLs a pipeline's principal needs on a cluster that enforces them, and nothing more
 * (README "Security" lists them for the default names). What the fraud pipeline does with each:
 *
 * <ul>
 *   <li>payments topic: READ (the source; DESCRIBE, which READ implies, for its partitions and
 *       offsets);
 *   <li>decisions and dead-letter topics: WRITE (the exactly-once sinks) and READ (a restart reads
 *       what its predecessor committed, {@code CommittedKeys});
 *   <li>consumer groups prefixed with {@code --consumerGroup}: READ (the source commits its offsets
 *       there, the start rewinds them, the sinks keep their progress in {@code
 *       <consumerGroup>-sink-...} groups; KafkaIO adds {@code <consumerGroup>_offset_consumer_...});
 *       with {@code --sinkGroupId} that group prefix too;
 *   <li>transactional ids prefixed {@code paystream-<sink group>}: WRITE (the sinks' transactions;
 *       WRITE implies DESCRIBE).
 * </ul>
 *
 * No cluster-level right: an idempotent or transactional producer needs none since Kafka 3.0
 * (KIP-679).
 */
public final class KafkaAcls {
  private KafkaAcls() {}

  /** The ACLs of {@code principal} (e.g. {@code User:paystream-fraud}) running the fraud pipeline with {@code options}. */
  public static List<AclBinding> fraudDetection(FraudDetectionOptions options, String principal) {
    List<AclBinding> acls = new ArrayList<>();
    acls.add(allow(principal, ResourceType.TOPIC, options.getPaymentsTopic(), PatternType.LITERAL, AclOperation.READ));
    for (String output : List.of(options.getDecisionsTopic(), options.getDeadLetterTopic())) {
      acls.add(allow(principal, ResourceType.TOPIC, output, PatternType.LITERAL, AclOperation.WRITE));
      acls.add(allow(principal, ResourceType.TOPIC, output, PatternType.LITERAL, AclOperation.READ));
    }
    String consumerGroup = options.getConsumerGroup();
    acls.add(allow(principal, ResourceType.GROUP, consumerGroup, PatternType.PREFIXED, AclOperation.READ));
    String sinkGroup = options.getSinkGroupId();
    // Without --sinkGroupId every run's sink group is "<consumerGroup>-sink-<time>".
    String sinkGroups = sinkGroup == null || sinkGroup.isBlank() ? consumerGroup + "-sink-" : sinkGroup;
    if (!sinkGroups.startsWith(consumerGroup)) {
      acls.add(allow(principal, ResourceType.GROUP, sinkGroups, PatternType.PREFIXED, AclOperation.READ));
    }
    acls.add(
        allow(
            principal,
            ResourceType.TRANSACTIONAL_ID,
            WriteExactlyOnce.transactionalIdPrefix(sinkGroups),
            PatternType.PREFIXED,
            AclOperation.WRITE));
    return acls;
  }

  private static AclBinding allow(
      String principal, ResourceType type, String name, PatternType pattern, AclOperation operation) {
    return new AclBinding(
        new ResourcePattern(type, name, pattern),
        new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
  }
}
