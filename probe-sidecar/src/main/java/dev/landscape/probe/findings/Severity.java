package dev.landscape.probe.findings;

import java.util.Locale;

/** How urgently a finding needs a human: {@code info} (look when convenient) to {@code critical} (act now). */
public enum Severity {
    INFO, WARNING, CRITICAL;

    /** The wire and display spelling: {@code info}, {@code warning}, {@code critical}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
