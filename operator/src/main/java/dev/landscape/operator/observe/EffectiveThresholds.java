package dev.landscape.operator.observe;

import dev.landscape.operator.correlate.CorrelationThresholds;
import dev.landscape.operator.crd.SchemaDefaults;
import dev.landscape.operator.crd.Thresholds;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The probe's thresholds with schema defaults filled in, parsed into the correlator's form. */
public final class EffectiveThresholds {

    private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h)");

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
        Matcher m = PART.matcher(text);
        Duration d = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                throw new IllegalArgumentException("not a duration: " + text);
            }
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
            end = m.end();
        }
        if (end != text.length() || end == 0) {
            throw new IllegalArgumentException("not a duration: " + text);
        }
        return d;
    }
}
