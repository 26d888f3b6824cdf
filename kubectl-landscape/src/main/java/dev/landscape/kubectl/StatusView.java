package dev.landscape.kubectl;

import dev.landscape.operator.crd.ActiveSilence;
import dev.landscape.operator.crd.FindingStatus;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeStatus;
import dev.landscape.operator.crd.ProbeReport;
import dev.landscape.operator.crd.ProbeReportStatus;
import io.fabric8.kubernetes.api.model.Condition;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * {@code kubectl landscape status}: the probe's conditions and silence in two lines, then one row per rank from its
 * ProbeReport (pod, step, loss, gradient norm, edge-of-stability ratio, restarts, OOM kills, last report) with the
 * rank's active findings. Pure: the same objects and moment give the same text (golden files).
 */
final class StatusView {

    private StatusView() {
    }

    static String render(LandscapeProbe probe, List<ProbeReport> reports, Instant now) {
        LandscapeProbeStatus s = probe.getStatus() == null ? new LandscapeProbeStatus() : probe.getStatus();
        StringBuilder out = new StringBuilder();
        out.append("LandscapeProbe ").append(probe.getMetadata().getNamespace()).append('/').append(probe.getMetadata().getName())
                .append("   step ").append(dash(s.getLatestStep()))
                .append("   ranks ").append(dash(s.getRanks()))
                .append("   pods with the sidecar ").append(dash(s.getPodsInjected()))
                .append(", without ").append(dash(s.getPodsUninjected())).append('\n');
        out.append(s.getConditions().stream().map(StatusView::condition).collect(Collectors.joining("   "))).append('\n');
        silence(s, now).ifPresent(line -> out.append(line).append('\n'));
        out.append('\n');

        Columns table = new Columns("RANK", "POD", "STEP", "LOSS", "GRADNORM", "EOS", "RESTARTS", "OOMS", "LAST REPORT", "FINDINGS");
        for (ProbeReport r : reports) {
            int rank = r.getSpec().getRank();
            ProbeReportStatus rs = r.getStatus() == null ? new ProbeReportStatus() : r.getStatus();
            table.row(Integer.toString(rank), dash(rs.getCurrentPod()), dash(rs.getLatestStep()), number(rs.getLatestLoss()),
                    number(rs.getLatestGradNorm()), number(rs.getLatestEosRatio()), dash(rs.getRestarts()), dash(rs.getOomKills()),
                    Times.parse(rs.getLastReportTime()).map(t -> Times.relative(t, now)).orElse("never"),
                    findings(s.getFindings().stream().filter(f -> Objects.equals(f.getRank(), rank)).toList(), now));
        }
        out.append(reports.isEmpty() ? "No rank has a ProbeReport yet: no selected pod has been seen and no report has arrived.\n" : table.toString());
        List<FindingStatus> jobWide = s.getFindings().stream().filter(f -> f.getRank() == null).toList();
        if (!jobWide.isEmpty()) {
            out.append("Job-wide: ").append(findings(jobWide, now)).append('\n');
        }
        return out.toString();
    }

    private static String condition(Condition c) {
        boolean ok = "True".equals(c.getStatus());
        return c.getType() + "=" + c.getStatus() + (ok || c.getReason() == null ? "" : " (" + c.getReason() + ")");
    }

    /** "Silenced until … (in 1h45m): why [source]", when a silence is in force. */
    static java.util.Optional<String> silence(LandscapeProbeStatus s, Instant now) {
        if (s.getSilencedUntil() == null || s.getSilences() == null) {
            return java.util.Optional.empty();
        }
        String whom = s.getSilences().stream().map(a -> a.getReason() + scope(a) + " [" + a.getSource() + "]")
                .collect(Collectors.joining("; "));
        String until = s.getSilencedUntil() + Times.parse(s.getSilencedUntil()).map(t -> " (" + Times.relative(t, now) + ")").orElse("");
        return java.util.Optional.of("Silenced until " + until + ": " + whom);
    }

    private static String scope(ActiveSilence a) {
        if (a.getFindingReasons() == null && a.getRanks() == null) {
            return "";
        }
        return " (only " + (a.getFindingReasons() == null ? "all reasons" : String.join(", ", a.getFindingReasons()))
                + (a.getRanks() == null ? "" : " on rank(s) " + a.getRanks().stream().map(String::valueOf).collect(Collectors.joining(", ")))
                + ")";
    }

    private static String findings(List<FindingStatus> findings, Instant now) {
        if (findings.isEmpty()) {
            return "-";
        }
        return findings.stream().map(f -> f.getReason() + (FindingsView.silenced(f, now) ? " (silenced)" : ""))
                .collect(Collectors.joining(", "));
    }

    private static String dash(Object v) {
        return v == null ? "-" : v.toString();
    }

    /** Four significant digits, as the status stores them. */
    static String number(Double v) {
        if (v == null) {
            return "-";
        }
        String s = String.format(Locale.ROOT, "%.4g", v);
        return s.contains("e") ? s : s.replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
    }
}
