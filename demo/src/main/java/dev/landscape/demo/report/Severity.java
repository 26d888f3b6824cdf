package dev.landscape.demo.report;

import java.util.Locale;

/** Finding severity, in the order an on-call engineer triages it. */
public enum Severity {
    INFO, WARNING, CRITICAL;

    /**
     * Reads the lower-case names used on the wire and in the operator's status ({@code info}, {@code warning},
     * {@code critical}); case is ignored.
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

    /** The wire spelling: {@code info}, {@code warning} or {@code critical}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
