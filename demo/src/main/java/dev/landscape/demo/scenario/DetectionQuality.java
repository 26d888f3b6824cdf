package dev.landscape.demo.scenario;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Scores what the operator published against what the script injected: for every expected (fault, rank, reason)
 * whether a finding with that reason appeared on that rank at or after the injection, at which step, and — for the
 * edge-of-stability warning — how many steps before the same rank's loss spike it came. Every finding that no
 * injected fault explains is a false alarm.
 */
public final class DetectionQuality {

    /** One finding the scenario should produce. {@code leadBefore}: a reason it should precede (lead time), or null. */
    public record Expectation(String fault, int rank, long injectedAtStep, String reason, String leadBefore) {
    }

    /** A finding that is not a false alarm although no fault asks for it (e.g. StepSkew beside a stall). */
    public record Tolerated(Integer rank, String reason, String why) {
    }

    public record Row(Expectation expected, boolean found, Long step, Long leadSteps) {
    }

    public record FalseAlarm(String reason, Integer rank, Long step, String message) {
    }

    public record Result(List<Row> rows, List<FalseAlarm> falseAlarms) {

        public long found() {
            return rows.stream().filter(Row::found).count();
        }

        public long missed() {
            return rows.size() - found();
        }

        public String table() {
            TextTable t = new TextTable(60, "FAULT", "RANK", "EXPECTED", "DETECTED", "AT STEP", "LEAD (STEPS)");
            for (Row r : rows) {
                t.row(r.expected().fault(), r.expected().rank(), r.expected().reason(), r.found() ? "yes" : "MISSED",
                        r.step() == null ? "-" : r.step(),
                        r.leadSteps() == null ? "-" : (r.leadSteps() > 0 ? "+" : "") + r.leadSteps() + " before " + r.expected().leadBefore());
            }
            StringBuilder sb = new StringBuilder(t.toString());
            sb.append(String.format(Locale.ROOT, "found %d / %d, missed %d, false alarms %d%n", found(), rows.size(), missed(),
                    falseAlarms.size()));
            for (FalseAlarm f : falseAlarms) {
                sb.append(String.format(Locale.ROOT, "  false alarm: %s on rank %s at step %s: %s%n", f.reason(), f.rank(),
                        f.step(), f.message()));
            }
            return sb.toString();
        }
    }

    private DetectionQuality() {
    }

    public static Result score(List<Expectation> expected, List<Tolerated> tolerated, List<ProbeWatcher.Seen> seen) {
        List<Row> rows = new ArrayList<>();
        for (Expectation e : expected) {
            Optional<ProbeWatcher.Seen> hit = first(seen, e.reason(), e.rank(), e.injectedAtStep());
            Long lead = null;
            if (hit.isPresent() && e.leadBefore() != null) {
                Optional<ProbeWatcher.Seen> later = first(seen, e.leadBefore(), e.rank(), e.injectedAtStep());
                if (later.isPresent() && later.get().step() != null && hit.get().step() != null) {
                    lead = later.get().step() - hit.get().step();
                }
            }
            rows.add(new Row(e, hit.isPresent(), hit.map(ProbeWatcher.Seen::step).orElse(null), lead));
        }
        List<FalseAlarm> falseAlarms = new ArrayList<>();
        java.util.Set<String> counted = new java.util.HashSet<>();
        for (ProbeWatcher.Seen s : seen) {
            if (!counted.add(s.reason() + "/" + s.rank())) {
                continue; // one false alarm per (reason, rank), however many checkpoints repeat it
            }
            boolean explained = expected.stream().anyMatch(e -> e.reason().equals(s.reason()) && Objects.equals(e.rank(), s.rank()))
                    || tolerated.stream().anyMatch(t -> t.reason().equals(s.reason()) && Objects.equals(t.rank(), s.rank()));
            if (!explained) {
                falseAlarms.add(new FalseAlarm(s.reason(), s.rank(), s.step(), s.message()));
            }
        }
        return new Result(rows, falseAlarms);
    }

    private static Optional<ProbeWatcher.Seen> first(List<ProbeWatcher.Seen> seen, String reason, int rank, long fromStep) {
        return seen.stream()
                .filter(s -> s.reason().equals(reason) && s.rank() != null && s.rank() == rank)
                .filter(s -> s.step() == null || s.step() >= fromStep)
                .min(Comparator.comparing((ProbeWatcher.Seen s) -> s.step() == null ? Long.MAX_VALUE : s.step()));
    }
}
