package dev.landscape.kubectl;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Times as kubectl shows them: RFC 3339 from the API, ages like {@code 45s}, {@code 6m}, {@code 2h5m}, {@code 3d}. */
final class Times {

    private Times() {
    }

    static Optional<Instant> parse(String rfc3339) {
        if (rfc3339 == null || rfc3339.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(rfc3339).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** {@code 6m ago} or {@code in 2h}. */
    static String relative(Instant t, Instant now) {
        Duration d = Duration.between(t, now);
        return d.isNegative() ? "in " + span(d.negated()) : span(d) + " ago";
    }

    /** A duration the way kubectl writes ages. */
    static String span(Duration d) {
        long s = d.getSeconds();
        if (s < 120) {
            return s + "s";
        }
        if (s < 600) {
            return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
        }
        if (s < 3 * 3600) {
            return (s / 60) + "m";
        }
        if (s < 8 * 3600) {
            return (s / 3600) + "h" + ((s % 3600) / 60 == 0 ? "" : ((s % 3600) / 60) + "m");
        }
        if (s < 48 * 3600) {
            return (s / 3600) + "h";
        }
        return (s / 86400) + "d";
    }
}
