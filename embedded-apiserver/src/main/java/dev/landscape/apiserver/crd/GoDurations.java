package dev.landscape.apiserver.crd;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go's {@code time.ParseDuration} for the units Kubernetes schemas use (h, m, s, ms, us, ns), for CEL's duration values. */
final class GoDurations {

    private static final Pattern PART = Pattern.compile("([0-9]*\\.?[0-9]+)(h|ms|m|s|us|µs|ns)");

    private GoDurations() {
    }

    static Duration parse(String text) {
        String s = text.trim();
        boolean negative = s.startsWith("-");
        if (negative || s.startsWith("+")) {
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(s);
        int at = 0;
        double nanos = 0;
        while (m.find() && m.start() == at) {
            double n = Double.parseDouble(m.group(1));
            nanos += n * switch (m.group(2)) {
                case "h" -> 3.6e12;
                case "m" -> 6e10;
                case "s" -> 1e9;
                case "ms" -> 1e6;
                case "us", "µs" -> 1e3;
                default -> 1;
            };
            at = m.end();
        }
        if (at != s.length() || at == 0) {
            throw new IllegalArgumentException("time: invalid duration " + text);
        }
        Duration d = Duration.ofNanos((long) nanos);
        return negative ? d.negated() : d;
    }
}
