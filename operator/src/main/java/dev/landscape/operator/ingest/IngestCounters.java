package dev.landscape.operator.ingest;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Report outcomes on this replica (accepted, duplicate, invalid, ...), exported as {@code landscape.operator.reports}. */
@ApplicationScoped
public class IngestCounters {

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void count(String outcome) {
        counts.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }

    /** A snapshot of outcome → count. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new java.util.TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
