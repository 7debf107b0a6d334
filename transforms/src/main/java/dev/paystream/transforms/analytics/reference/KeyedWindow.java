package dev.paystream.transforms.analytics.reference;

/** A key's event-time window: {@code [start, end)} in epoch milliseconds. */
public record KeyedWindow(String key, long start, long end) {}
