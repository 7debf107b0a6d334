package dev.paystream.io.kafka;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.TimestampedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * An {@link UnboundedSource} whose elements are batches of another source's records, each record
 * converted and kept with the timestamp the wrapped reader gave it; a batch's own timestamp is
 * the earliest of them, so that a step that emits the records with their own timestamps never
 * goes back in time.
 *
 * <p>Why: the DirectRunner reads at most 10 elements of an unbounded source per bundle, and every
 * step after it then runs once per bundle of about 10 records (and each stateful step once per
 * key in such a bundle). Read in batches, a bundle holds up to 10 batches of up to {@code
 * maxRecords} records each. Checkpoints, watermarks, splits and offset commits are the wrapped
 * source's: a checkpoint covers every record of the batches emitted before it.
 */
final class BatchingUnboundedSource<RecordT, T, CheckpointT extends UnboundedSource.CheckpointMark>
    extends UnboundedSource<List<TimestampedValue<T>>, CheckpointT> {
  private final UnboundedSource<RecordT, CheckpointT> records;
  private final int maxRecords;
  private final SerializableFunction<RecordT, T> convert;
  private final Coder<T> coder;

  BatchingUnboundedSource(
      UnboundedSource<RecordT, CheckpointT> records, int maxRecords, SerializableFunction<RecordT, T> convert, Coder<T> coder) {
    if (maxRecords < 1) {
      throw new IllegalArgumentException("a batch holds at least one record: " + maxRecords);
    }
    this.records = records;
    this.maxRecords = maxRecords;
    this.convert = convert;
    this.coder = coder;
  }

  @Override
  public List<BatchingUnboundedSource<RecordT, T, CheckpointT>> split(int desiredNumSplits, PipelineOptions options)
      throws Exception {
    List<BatchingUnboundedSource<RecordT, T, CheckpointT>> splits = new ArrayList<>();
    for (UnboundedSource<RecordT, CheckpointT> split : records.split(desiredNumSplits, options)) {
      splits.add(new BatchingUnboundedSource<>(split, maxRecords, convert, coder));
    }
    return splits;
  }

  @Override
  public UnboundedReader<List<TimestampedValue<T>>> createReader(PipelineOptions options, @Nullable CheckpointT checkpoint)
      throws IOException {
    return new BatchReader(records.createReader(options, checkpoint));
  }

  @Override
  public Coder<CheckpointT> getCheckpointMarkCoder() {
    return records.getCheckpointMarkCoder();
  }

  @Override
  public boolean requiresDeduping() {
    // Record ids would name single records; a batch has none. A source that needs them cannot be batched.
    return false;
  }

  @Override
  public Coder<List<TimestampedValue<T>>> getOutputCoder() {
    return ListCoder.of(TimestampedValue.TimestampedValueCoder.of(coder));
  }

  @Override
  public void validate() {
    records.validate();
    if (records.requiresDeduping()) {
      throw new IllegalArgumentException("a source that needs deduplication by record id cannot be read in batches");
    }
  }

  /** Each advance takes what the wrapped reader has now, up to {@code maxRecords}, without waiting for more. */
  private final class BatchReader extends UnboundedReader<List<TimestampedValue<T>>> {
    private final UnboundedReader<RecordT> reader;
    private List<TimestampedValue<T>> batch;
    private Instant batchTimestamp;

    BatchReader(UnboundedReader<RecordT> reader) {
      this.reader = reader;
    }

    @Override
    public boolean start() throws IOException {
      return fill(reader.start());
    }

    @Override
    public boolean advance() throws IOException {
      return fill(reader.advance());
    }

    /** {@code available}: whether the reader stands on a record; only such a record is taken, so none is skipped. */
    private boolean fill(boolean available) throws IOException {
      batch = null;
      if (!available) {
        return false;
      }
      List<TimestampedValue<T>> taken = new ArrayList<>();
      Instant earliest = null;
      do {
        Instant timestamp = reader.getCurrentTimestamp();
        taken.add(TimestampedValue.of(convert.apply(reader.getCurrent()), timestamp));
        earliest = earliest == null || timestamp.isBefore(earliest) ? timestamp : earliest;
      } while (taken.size() < maxRecords && reader.advance());
      batch = taken;
      batchTimestamp = earliest;
      return true;
    }

    @Override
    public List<TimestampedValue<T>> getCurrent() {
      if (batch == null) {
        throw new NoSuchElementException();
      }
      return batch;
    }

    @Override
    public Instant getCurrentTimestamp() {
      if (batch == null) {
        throw new NoSuchElementException();
      }
      return batchTimestamp;
    }

    @Override
    public Instant getWatermark() {
      return reader.getWatermark();
    }

    @Override
    public CheckpointMark getCheckpointMark() {
      return reader.getCheckpointMark();
    }

    @Override
    public long getSplitBacklogBytes() {
      return reader.getSplitBacklogBytes();
    }

    @Override
    public long getTotalBacklogBytes() {
      return reader.getTotalBacklogBytes();
    }

    @Override
    public UnboundedSource<List<TimestampedValue<T>>, ?> getCurrentSource() {
      return BatchingUnboundedSource.this;
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }
}
