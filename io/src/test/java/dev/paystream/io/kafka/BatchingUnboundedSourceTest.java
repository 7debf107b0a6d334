package dev.paystream.io.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.CountingSource;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.io.UnboundedSource.UnboundedReader;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

class BatchingUnboundedSourceTest {
  private static final PipelineOptions OPTIONS = PipelineOptionsFactory.create();

  /** Out of order on purpose: record i's time; a batch's timestamp must be its earliest. */
  private static final SerializableFunction<Long, Instant> TIME = i -> new Instant(1_000_000 + (i % 3) * 10_000 - i);

  private static <C extends UnboundedSource.CheckpointMark> BatchingUnboundedSource<Long, String, C> batchesOf(
      UnboundedSource<Long, C> records, int max) {
    return new BatchingUnboundedSource<>(records, max, i -> "record-" + i, StringUtf8Coder.of());
  }

  @Test
  void batchesHoldEveryRecordOnceInOrderWithItsOwnTimestampAndTheEarliestAsTheirs() throws Exception {
    BatchingUnboundedSource<Long, String, CountingSource.CounterMark> source =
        batchesOf(CountingSource.unboundedWithTimestampFn(TIME), 7);
    List<String> values = new ArrayList<>();
    try (UnboundedReader<List<TimestampedValue<String>>> reader = source.createReader(OPTIONS, null)) {
      boolean available = reader.start();
      for (int batch = 0; batch < 5; batch++) {
        assertTrue(available, "the counting source always has records");
        List<TimestampedValue<String>> records = reader.getCurrent();
        assertEquals(7, records.size(), "a batch takes up to maxRecords of what the reader has");
        for (TimestampedValue<String> record : records) {
          long i = values.size();
          assertEquals("record-" + i, record.getValue());
          assertEquals(TIME.apply(i), record.getTimestamp());
          values.add(record.getValue());
        }
        Instant earliest = records.stream().map(TimestampedValue::getTimestamp).min(Comparator.naturalOrder()).orElseThrow();
        assertEquals(earliest, reader.getCurrentTimestamp());
        available = reader.advance();
      }
    }
    assertEquals(35, values.size());
  }

  @Test
  void aReaderResumedFromACheckpointContinuesAfterTheLastBatchWithoutLossOrRepeat() throws Exception {
    BatchingUnboundedSource<Long, String, CountingSource.CounterMark> source =
        batchesOf(CountingSource.unboundedWithTimestampFn(TIME), 4);
    List<String> values = new ArrayList<>();
    CountingSource.CounterMark mark;
    try (UnboundedReader<List<TimestampedValue<String>>> reader = source.createReader(OPTIONS, null)) {
      reader.start();
      reader.getCurrent().forEach(r -> values.add(r.getValue()));
      reader.advance();
      reader.getCurrent().forEach(r -> values.add(r.getValue()));
      mark = (CountingSource.CounterMark) reader.getCheckpointMark();
    }
    // through its coder, as a runner stores it
    mark = CoderUtils.clone(source.getCheckpointMarkCoder(), mark);
    try (UnboundedReader<List<TimestampedValue<String>>> resumed = source.createReader(OPTIONS, mark)) {
      assertTrue(resumed.start());
      resumed.getCurrent().forEach(r -> values.add(r.getValue()));
    }
    List<String> expected = new ArrayList<>();
    for (long i = 0; i < 12; i++) {
      expected.add("record-" + i);
    }
    assertEquals(expected, values);
  }

  @Test
  void splitsWrapEachSplitOfTheRecordsSource() throws Exception {
    UnboundedSource<Long, CountingSource.CounterMark> records = CountingSource.unbounded();
    List<? extends UnboundedSource<?, ?>> splits = batchesOf(records, 3).split(4, OPTIONS);
    assertEquals(records.split(4, OPTIONS).size(), splits.size());
    assertTrue(splits.stream().allMatch(BatchingUnboundedSource.class::isInstance));
  }

  @Test
  void batchesRoundTripThroughTheOutputCoder() throws Exception {
    List<TimestampedValue<String>> batch = List.of(TimestampedValue.of("a", new Instant(5)), TimestampedValue.of("b", new Instant(3)));
    assertEquals(batch, CoderUtils.clone(batchesOf(CountingSource.unbounded(), 3).getOutputCoder(), batch));
  }

  @Test
  void refusesEmptyBatches() {
    assertThrows(IllegalArgumentException.class, () -> batchesOf(CountingSource.unbounded(), 0));
  }
}
