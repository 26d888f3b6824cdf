package dev.landscape.kubectl;

import dev.landscape.contract.Severity;
import dev.landscape.operator.crd.FindingStatus;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeStatus;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code kubectl landscape findings}: every active finding, worst first as the operator orders them, with where
 * (rank, pod, step), since when, the numbers behind it, what usually fixes it, and whether a silence covers it. Pure.
 */
final class FindingsView {

    private FindingsView() {
    }

    static String render(LandscapeProbe probe, Instant now) {
        LandscapeProbeStatus s = probe.getStatus() == null ? new LandscapeProbeStatus() : probe.getStatus();
        List<FindingStatus> findings = s.getFindings();
        String name = probe.getMetadata().getNamespace() + "/" + probe.getMetadata().getName();
        if (findings.isEmpty()) {
            return "LandscapeProbe " + name + ": no active findings.\n";
        }
        long silenced = findings.stream().filter(f -> silenced(f, now)).count();
        StringBuilder out = new StringBuilder("LandscapeProbe " + name + ": " + findings.size() + " active finding(s)"
                + (silenced > 0 ? ", " + silenced + " silenced" : "") + "\n");
        StatusView.silence(s, now).ifPresent(line -> out.append(line).append('\n'));
        for (FindingStatus f : findings) {
            out.append('\n').append(f.getSeverity() == null ? Severity.WARNING.label() : f.getSeverity().label())
                    .append("  ").append(f.getReason()).append("  ").append(where(f))
                    .append(", since ").append(f.getSince())
                    .append(Times.parse(f.getSince()).map(t -> " (" + Times.relative(t, now) + ")").orElse(""));
            if (silenced(f, now)) {
                out.append(", silenced until ").append(f.getSilencedUntil());
            }
            out.append('\n');
            out.append("  ").append(f.getMessage()).append('\n');
            if (f.getValues() != null && !f.getValues().isEmpty()) {
                out.append("  values: ").append(values(f.getValues())).append('\n');
            }
            if (f.getRemedy() != null) {
                out.append("  remedy: ").append(f.getRemedy()).append('\n');
            }
        }
        return out.toString();
    }

    /** Whether a silence covers the finding now (the status says until when; a past time no longer counts). */
    static boolean silenced(FindingStatus f, Instant now) {
        return Times.parse(f.getSilencedUntil()).map(now::isBefore).orElse(false);
    }

    private static String where(FindingStatus f) {
        StringBuilder w = new StringBuilder(f.getRank() == null ? "job-wide" : "rank " + f.getRank());
        if (f.getPod() != null) {
            w.append(", pod ").append(f.getPod());
        }
        if (f.getStep() != null) {
            w.append(", step ").append(f.getStep());
        }
        return w.toString();
    }

    private static String values(Map<String, Double> values) {
        return new TreeMap<>(values).entrySet().stream().map(e -> e.getKey() + "=" + StatusView.number(e.getValue()))
                .collect(Collectors.joining(", "));
    }
}
