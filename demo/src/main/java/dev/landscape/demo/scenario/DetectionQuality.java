package dev.landscape.demo.scenario;

import dev.landscape.contract.Reason;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Scores what the operator published against what the script injected, so that it cannot flatter:
 * <ul>
 * <li>each expected finding has a step window relative to its fault; it is found only by a finding with its reason,
 * on its rank, at a step inside that window (a finding without a step is never a detection);</li>
 * <li>every finding seen (each reason, rank and step) that no expectation's window and no tolerated companion
 * explains is a false alarm, so an expected reason that comes before its window (premature), after it, or on the
 * wrong rank counts against the run;</li>
 * <li>companions are tolerated only on their fault's rank and inside their fault's window;</li>
 * <li>a lead is measured in steps: over the first later finding of another reason (the edge of stability over the
 * loss spike) or over the step of a failure (the joined anomaly over the OOM kill).</li>
 * </ul>
 * An OOM's InstabilityBeforeFailure carries the step of the anomaly it was joined to, so expecting it in the window
 * of the injected cause checks that the operator joined the right one.
 */
public final class DetectionQuality {

    /** Training steps {@code from..to}, inclusive. */
    public record Window(long from, long to) {
        public Window {
            if (to < from) {
                throw new IllegalArgumentException("window " + from + ".." + to + " is empty");
            }
        }

        boolean contains(Long step) {
            return step != null && step >= from && step <= to;
        }

        @Override
        public String toString() {
            return from == to ? Long.toString(from) : from + "–" + to;
        }
    }

    /**
     * What a lead is measured over: the first finding of {@code reason} on the same rank at or after the detection,
     * or the fixed {@code step} of a failure. {@code label} names it in the table.
     */
    public record Lead(String label, Reason reason, Long step) {
        public static Lead overFinding(Reason reason) {
            return new Lead(reason.name(), reason, null);
        }

        public static Lead overStep(String label, long step) {
            return new Lead(label, null, step);
        }
    }

    /** One finding the scenario should produce; {@code lead} may be null. */
    public record Expectation(String fault, int rank, Reason reason, Window window, Lead lead) {
    }

    /**
     * A finding that is right although no expectation names it, on {@code rank} ({@code null}: a job-wide finding)
     * within its fault's {@code window}.
     */
    public record Tolerated(String fault, Integer rank, Reason reason, Window window, String why) {
    }

    public record Row(Expectation expected, boolean found, Long step, Long leadSteps) {
    }

    /** A finding nothing explains, and why: unexpected, premature, late, wrong rank, or without a step. */
    public record FalseAlarm(String reason, Integer rank, Long step, String why, String message) {
    }

    public record Result(List<Row> rows, List<FalseAlarm> falseAlarms) {

        public long found() {
            return rows.stream().filter(Row::found).count();
        }

        public long missed() {
            return rows.size() - found();
        }

        /** The console table. */
        public String table() {
            TextTable t = new TextTable(60, "FAULT", "RANK", "EXPECTED", "WINDOW", "DETECTED", "AT STEP", "LEAD (STEPS)");
            for (Row r : rows) {
                t.row(r.expected().fault(), r.expected().rank(), r.expected().reason(), r.expected().window(),
                        r.found() ? "yes" : "MISSED", r.step() == null ? "-" : r.step(), lead(r));
            }
            StringBuilder sb = new StringBuilder(t.toString());
            sb.append(totals()).append(String.format(Locale.ROOT, "%n"));
            for (FalseAlarm f : falseAlarms) {
                sb.append(String.format(Locale.ROOT, "  false alarm (%s): %s on rank %s at step %s: %s%n", f.why(),
                        f.reason(), f.rank() == null ? "-" : f.rank(), f.step() == null ? "-" : f.step(), f.message()));
            }
            return sb.toString();
        }

        /** The same as a Markdown table, for docs/demo.md (see DemoScenarioE2ETest). */
        public String markdown() {
            StringBuilder sb = new StringBuilder("| fault | rank | expected finding | window (steps) | detected | at step "
                    + "| lead (steps) |\n|---|---|---|---|---|---|---|\n");
            for (Row r : rows) {
                sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s |%n", r.expected().fault(),
                        r.expected().rank(), r.expected().reason(), r.expected().window(), r.found() ? "yes" : "**missed**",
                        r.step() == null ? "—" : r.step(), r.leadSteps() == null ? "—" : lead(r)));
            }
            sb.append('\n').append(totals()).append('\n');
            for (FalseAlarm f : falseAlarms) {
                sb.append(String.format(Locale.ROOT, "%n- false alarm (%s): %s on rank %s at step %s", f.why(), f.reason(),
                        f.rank() == null ? "—" : f.rank(), f.step() == null ? "—" : f.step()));
            }
            return sb.toString();
        }

        private String totals() {
            return String.format(Locale.ROOT, "found %d / %d, missed %d, false alarms %d", found(), rows.size(), missed(),
                    falseAlarms.size());
        }

        private static String lead(Row r) {
            if (r.leadSteps() == null) {
                return "-";
            }
            return (r.leadSteps() > 0 ? "+" : "") + r.leadSteps() + " before " + r.expected().lead().label();
        }
    }

    private DetectionQuality() {
    }

    /** @param seen every finding seen, one per (reason, rank, step) */
    public static Result score(List<Expectation> expected, List<Tolerated> tolerated, List<ProbeWatcher.Seen> seen) {
        List<Row> rows = new ArrayList<>();
        for (Expectation e : expected) {
            Optional<ProbeWatcher.Seen> hit = seen.stream()
                    .filter(s -> names(e.reason(), s) && Objects.equals(s.rank(), e.rank()) && e.window().contains(s.step()))
                    .min(Comparator.comparing(ProbeWatcher.Seen::step));
            Long lead = hit.map(h -> lead(e, h, seen)).orElse(null);
            rows.add(new Row(e, hit.isPresent(), hit.map(ProbeWatcher.Seen::step).orElse(null), lead));
        }
        List<FalseAlarm> falseAlarms = new ArrayList<>();
        for (ProbeWatcher.Seen s : seen) {
            boolean explained = expected.stream().anyMatch(e -> names(e.reason(), s)
                    && Objects.equals(e.rank(), s.rank()) && e.window().contains(s.step()))
                    || tolerated.stream().anyMatch(t -> names(t.reason(), s)
                    && Objects.equals(t.rank(), s.rank()) && t.window().contains(s.step()));
            if (!explained) {
                falseAlarms.add(new FalseAlarm(s.reason(), s.rank(), s.step(), why(s, expected), s.message()));
            }
        }
        falseAlarms.sort(Comparator.comparing((FalseAlarm f) -> f.step() == null ? Long.MAX_VALUE : f.step())
                .thenComparing(FalseAlarm::reason));
        return new Result(rows, falseAlarms);
    }

    /** Whether a finding the operator published (its reason as the status spells it) has {@code reason}. */
    static boolean names(Reason reason, ProbeWatcher.Seen s) {
        return reason != null && reason.name().equals(s.reason());
    }

    private static Long lead(Expectation e, ProbeWatcher.Seen hit, List<ProbeWatcher.Seen> seen) {
        if (e.lead() == null) {
            return null;
        }
        if (e.lead().step() != null) {
            return e.lead().step() - hit.step();
        }
        return seen.stream()
                .filter(s -> names(e.lead().reason(), s) && Objects.equals(s.rank(), e.rank())
                        && s.step() != null && s.step() >= hit.step())
                .map(ProbeWatcher.Seen::step).min(Long::compare).map(later -> later - hit.step()).orElse(null);
    }

    private static String why(ProbeWatcher.Seen s, List<Expectation> expected) {
        if (s.step() == null) {
            return "no step";
        }
        List<Expectation> same = expected.stream().filter(e -> names(e.reason(), s)).toList();
        if (same.isEmpty()) {
            return "unexpected";
        }
        List<Expectation> onRank = same.stream().filter(e -> Objects.equals(e.rank(), s.rank())).toList();
        if (onRank.isEmpty()) {
            return "wrong rank";
        }
        return onRank.stream().allMatch(e -> s.step() < e.window().from()) ? "premature"
                : onRank.stream().allMatch(e -> s.step() > e.window().to()) ? "late" : "outside its window";
    }
}
