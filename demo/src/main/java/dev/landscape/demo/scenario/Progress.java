package dev.landscape.demo.scenario;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** Timestamped progress lines for the person watching ({@code [  12.3s] what happened}). */
final class Progress {

    private final PrintStream out;
    private final Clock clock;
    private final Instant start;

    Progress(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
        this.start = Instant.now(clock);
    }

    synchronized void say(String format, Object... args) {
        double s = Duration.between(start, Instant.now(clock)).toMillis() / 1000.0;
        out.printf(Locale.ROOT, "[%6.1fs] %s%n", s, String.format(Locale.ROOT, format, args));
        out.flush();
    }

    synchronized void section(String title) {
        out.println();
        out.println(title);
        out.println("-".repeat(title.length()));
        out.flush();
    }

    synchronized void print(String text) {
        out.print(text);
        out.flush();
    }

    Duration elapsed() {
        return Duration.between(start, Instant.now(clock));
    }
}
