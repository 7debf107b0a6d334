package dev.paystream.io.kafka;

import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.GroupIntoBatches;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Keyed records spread over {@code shards} by key hash, gathered per shard into batches of up to
 * {@code batchSize} records or what arrived within {@code maxDelay}: the unit of a transaction.
 */
final class ShardedBatches
    extends PTransform<PCollection<KV<String, byte[]>>, PCollection<KV<Integer, Iterable<KV<String, byte[]>>>>> {

  /** The coder of a keyed record. */
  static final KvCoder<String, byte[]> RECORD = KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of());

  private final int shards;
  private final int batchSize;
  private final Duration maxDelay;

  ShardedBatches(int shards, int batchSize, Duration maxDelay) {
    this.shards = shards;
    this.batchSize = batchSize;
    this.maxDelay = maxDelay;
  }

  @Override
  public PCollection<KV<Integer, Iterable<KV<String, byte[]>>>> expand(PCollection<KV<String, byte[]>> records) {
    int shardCount = shards;
    return records
        .apply(
            "KeyByShard",
            WithKeys.of((KV<String, byte[]> record) -> Math.floorMod(record.getKey().hashCode(), shardCount))
                .withKeyType(TypeDescriptors.integers()))
        .setCoder(KvCoder.of(VarIntCoder.of(), RECORD))
        .apply("Gather", GroupIntoBatches.<Integer, KV<String, byte[]>>ofSize(batchSize).withMaxBufferingDuration(maxDelay));
  }
}
