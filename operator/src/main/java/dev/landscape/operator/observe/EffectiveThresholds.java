package dev.landscape.operator.observe;

import dev.landscape.contract.Durations;
import dev.landscape.operator.correlate.CorrelationThresholds;
import dev.landscape.operator.crd.SchemaDefaults;
import dev.landscape.operator.crd.ThresholdsSpec;

import java.time.Duration;

/** The probe's thresholds with schema defaults filled in, parsed into the correlator's form. */
public final class EffectiveThresholds {

    private EffectiveThresholds() {
    }

    public static CorrelationThresholds of(ThresholdsSpec spec) {
        ThresholdsSpec t = spec == null ? new ThresholdsSpec() : spec;
        return new CorrelationThresholds(
                decimal(t.getDivergence(), "divergence"),
                decimal(t.getStepSkewIntervals(), "stepSkewIntervals"),
                decimal(t.getStaleIntervals(), "staleIntervals"),
                SchemaDefaults.orDefault(t.getRestartLoopRestarts(), ThresholdsSpec.class, "restartLoopRestarts"),
                duration(SchemaDefaults.orDefault(t.getRestartLoopWindow(), ThresholdsSpec.class, "restartLoopWindow")),
                duration(SchemaDefaults.orDefault(t.getInstabilityWindow(), ThresholdsSpec.class, "instabilityWindow")));
    }

    private static double decimal(String value, String field) {
        return Double.parseDouble(SchemaDefaults.orDefault(value, ThresholdsSpec.class, field));
    }

    /** Parses Go-style durations made of whole units ({@code 30s}, {@code 1h30m}, {@code 500ms}). */
    public static Duration duration(String text) {
        return Durations.parse(text);
    }
}
