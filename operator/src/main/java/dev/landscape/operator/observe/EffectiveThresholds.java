package dev.landscape.operator.observe;

import dev.landscape.contract.Durations;
import dev.landscape.operator.correlate.CorrelationThresholds;
import dev.landscape.operator.crd.SchemaDefaults;
import dev.landscape.operator.crd.Thresholds;

import java.time.Duration;

/** The probe's thresholds with schema defaults filled in, parsed into the correlator's form. */
public final class EffectiveThresholds {

    private EffectiveThresholds() {
    }

    public static CorrelationThresholds of(Thresholds spec) {
        Thresholds t = spec == null ? new Thresholds() : spec;
        return new CorrelationThresholds(
                decimal(t.getDivergence(), "divergence"),
                decimal(t.getStepSkewIntervals(), "stepSkewIntervals"),
                decimal(t.getStaleIntervals(), "staleIntervals"),
                SchemaDefaults.orDefault(t.getRestartLoopRestarts(), Thresholds.class, "restartLoopRestarts"),
                duration(SchemaDefaults.orDefault(t.getRestartLoopWindow(), Thresholds.class, "restartLoopWindow")),
                duration(SchemaDefaults.orDefault(t.getInstabilityWindow(), Thresholds.class, "instabilityWindow")));
    }

    private static double decimal(String value, String field) {
        return Double.parseDouble(SchemaDefaults.orDefault(value, Thresholds.class, field));
    }

    /** Parses Go-style durations made of whole units ({@code 30s}, {@code 1h30m}, {@code 500ms}). */
    public static Duration duration(String text) {
        return Durations.parse(text);
    }
}
