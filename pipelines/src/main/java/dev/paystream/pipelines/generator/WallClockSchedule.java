package dev.paystream.pipelines.generator;

import dev.paystream.pipelines.generator.GeneratedRecord.Kind;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Hands out records when the wall clock reaches their timestamps, so a generator started at "now"
 * becomes a live stream whose event time is the time of sending and whose pacing is the generator's
 * Poisson arrivals. Duplicates repeat a past timestamp and go out at once. Ends at the first record
 * due at or after the deadline, or when the thread is interrupted (with the interrupt flag kept
 * set). It wraps one iterator, so it can be iterated once.
 */
final class WallClockSchedule implements Iterable<GeneratedRecord> {
  private final Iterator<GeneratedRecord> records;
  private final long deadlineMillis;

  WallClockSchedule(Iterator<GeneratedRecord> records, long deadlineMillis) {
    this.records = records;
    this.deadlineMillis = deadlineMillis;
  }

  @Override
  public Iterator<GeneratedRecord> iterator() {
    return new Iterator<>() {
      private GeneratedRecord due;
      private boolean ended;

      @Override
      public boolean hasNext() {
        if (due == null && !ended) {
          due = awaitNext();
          ended = due == null;
        }
        return due != null;
      }

      @Override
      public GeneratedRecord next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        GeneratedRecord record = due;
        due = null;
        return record;
      }
    };
  }

  private GeneratedRecord awaitNext() {
    if (!records.hasNext()) {
      return null;
    }
    GeneratedRecord record = records.next();
    if (record.kind() == Kind.DUPLICATE) {
      return record;
    }
    if (record.timestampMillis() >= deadlineMillis) {
      return null;
    }
    try {
      long wait;
      while ((wait = record.timestampMillis() - System.currentTimeMillis()) > 0) {
        Thread.sleep(wait);
      }
      return record;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
