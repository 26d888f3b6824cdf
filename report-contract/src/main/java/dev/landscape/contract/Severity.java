package dev.landscape.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Locale;

/**
 * How urgently a finding needs a human, in the order on-call triages it: {@code info} (look when convenient) to
 * {@code critical} (act now). Ordered, so the worst of several is {@code max}. The one severity type of the
 * sidecar, the operator (its CRD status included) and the demo; the wire spelling is lower case.
 */
public enum Severity {
    @JsonProperty("info") INFO,
    @JsonProperty("warning") WARNING,
    @JsonProperty("critical") CRITICAL;

    /** The wire and display spelling: {@code info}, {@code warning}, {@code critical}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads the wire spelling; case and surrounding blanks are ignored.
     *
     * @throws IllegalArgumentException naming the value when it is none of the three
     */
    public static Severity parse(String text) {
        if (text != null) {
            for (Severity s : values()) {
                if (s.name().equalsIgnoreCase(text.trim())) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("severity '" + text + "' is not one of info, warning, critical");
    }

    /** Whether {@code text} is exactly a wire spelling, as a report must carry it. */
    public static boolean isWire(String text) {
        for (Severity s : values()) {
            if (s.label().equals(text)) {
                return true;
            }
        }
        return false;
    }
}
