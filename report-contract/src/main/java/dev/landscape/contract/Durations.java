package dev.landscape.contract;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go-style durations made of whole units ({@code 30s}, {@code 1h30m}, {@code 500ms}), as the CRD's patterns
 * allow them, parsed the same way by the operator and the sidecar.
 */
public final class Durations {

    private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h)");

    private Durations() {
    }

    /** @throws IllegalArgumentException when {@code text} is not such a duration */
    public static Duration parse(String text) {
        Matcher m = PART.matcher(text == null ? "" : text);
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
        if (end == 0 || end != text.length()) {
            throw new IllegalArgumentException("not a duration: " + text);
        }
        return d;
    }
}
