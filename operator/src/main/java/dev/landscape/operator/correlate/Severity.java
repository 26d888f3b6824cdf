package dev.landscape.operator.correlate;

import java.util.Locale;

/** How urgent a finding is; ordered, so the worst of several is {@code max}. */
public enum Severity {
    INFO, WARNING, CRITICAL;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code info}, {@code warning} or {@code critical}; anything else is {@code WARNING}. */
    public static Severity parse(String s) {
        if (s == null) {
            return WARNING;
        }
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "info" -> INFO;
            case "critical" -> CRITICAL;
            default -> WARNING;
        };
    }
}
