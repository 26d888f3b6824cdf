package dev.landscape.operator.reconcile;

import dev.landscape.contract.Severity;
import dev.landscape.operator.alert.Silences;
import dev.landscape.operator.correlate.Correlator;
import dev.landscape.operator.correlate.CorrelatedFinding;
import dev.landscape.operator.correlate.FirstSeen;
import dev.landscape.operator.correlate.RankTimeline;
import dev.landscape.contract.Reason;
import dev.landscape.operator.crd.ActiveSilence;
import dev.landscape.operator.crd.FindingStatus;
import dev.landscape.operator.crd.HistorySpec;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeStatus;
import dev.landscape.operator.crd.ProbeReport;
import dev.landscape.operator.crd.ProbeReportStatus;
import dev.landscape.operator.crd.SchemaDefaults;
import dev.landscape.operator.observe.Observation;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * Builds the probe's status from what was observed and what the correlator found: aggregates for the printer
 * columns, the four conditions (each summarising its family's worst active finding), the latest findings (each
 * marked when a silence covers it) and the silences in force. Silences change no condition: they mute alerts and
 * Events, not the truth. Pure; conditions go through the {@link ConditionAggregator}.
 */
public final class StatusFactory {

    private StatusFactory() {
    }

    public static LandscapeProbeStatus build(LandscapeProbe probe, Observation seen, List<RankTimeline> timelines,
                                             List<CorrelatedFinding> findings, Silences silences, Clock clock) {
        LandscapeProbeStatus previous = probe.getStatus() == null ? new LandscapeProbeStatus() : probe.getStatus();
        LandscapeProbeStatus s = new LandscapeProbeStatus();
        Long generation = probe.getMetadata().getGeneration();
        s.setObservedGeneration(generation);

        TreeSet<Integer> ranks = new TreeSet<>(seen.podsByRank().keySet());
        ranks.addAll(seen.reportsByRank().keySet());
        s.setRanks(ranks.size());
        int restarts = 0;
        int ooms = 0;
        String lastReport = null;
        for (ProbeReport r : seen.reportsByRank().values()) {
            ProbeReportStatus rs = r.getStatus();
            if (rs == null) {
                continue;
            }
            restarts += rs.getRestarts() == null ? 0 : rs.getRestarts();
            ooms += rs.getOomKills() == null ? 0 : rs.getOomKills();
            if (rs.getLatestStep() != null && (s.getLatestStep() == null || rs.getLatestStep() > s.getLatestStep())) {
                s.setLatestStep(rs.getLatestStep());
            }
            if (rs.getLatestEosRatio() != null && (s.getWorstEosRatio() == null || rs.getLatestEosRatio() > s.getWorstEosRatio())) {
                s.setWorstEosRatio(round(rs.getLatestEosRatio()));
                s.setWorstEosRank(r.getSpec().getRank());
            }
            if (rs.getLatestGradNorm() != null && (s.getMaxGradNorm() == null || rs.getLatestGradNorm() > s.getMaxGradNorm())) {
                s.setMaxGradNorm(round(rs.getLatestGradNorm()));
            }
            if (rs.getLastReportTime() != null && (lastReport == null || rs.getLastReportTime().compareTo(lastReport) > 0)) {
                lastReport = rs.getLastReportTime();
            }
        }
        s.setRestarts(restarts);
        s.setOomKills(ooms);
        s.setLastReportTime(lastReport);
        s.setPodsInjected(seen.injected());
        s.setPodsUninjected(seen.uninjected());
        Correlator.divergence(timelines).ifPresent(d -> {
            s.setMaxDivergence(round(d.relativeDistance()));
            s.setMaxDivergenceRank(d.rank() >= 0 ? d.rank() : null);
        });

        int keep = SchemaDefaults.orDefault(probe.getSpec().getHistory() == null ? null : probe.getSpec().getHistory().getFindings(),
                HistorySpec.class, "findings");
        s.setFindings(findings.stream().limit(keep).map(f -> toStatus(f, silences.until(f.reason().name(), f.rank(), clock))).toList());
        List<ActiveSilence> active = silences.active(clock);
        s.setSilences(active.isEmpty() ? null : active);
        s.setSilencedUntil(silences.silencedUntil(clock).map(Instant::toString).orElse(null));

        ConditionAggregator c = new ConditionAggregator(previous.getConditions(), generation, clock);
        ready(c, seen);
        s.setWorstFinding(findings.isEmpty() ? null : findings.get(0).reason().name());
        boolean anyCheckpoint = timelines.stream().anyMatch(t -> t.latest().isPresent());
        family(c, ConditionType.TRAINING_STABLE, Reason.Family.TRAINING, findings, anyCheckpoint,
                "Stable", "No training anomaly at the latest checkpoint of any rank" + stepSuffix(s) + ".",
                "NoReportsYet", "No checkpoint has been analysed yet.");
        long reporting = timelines.stream().filter(t -> t.latest().isPresent()).count();
        family(c, ConditionType.WORKERS_IN_SYNC, Reason.Family.WORKERS, findings, reporting >= 1,
                "InSync", reporting + " rank(s) reporting, progressing together" + (s.getMaxDivergence() != null
                        ? " with replicated weights within " + s.getMaxDivergence() + " relative distance" : "") + ".",
                "NoReportsYet", "No rank has reported yet.");
        family(c, ConditionType.INFRASTRUCTURE_HEALTHY, Reason.Family.INFRASTRUCTURE, findings, !seen.podsByRank().isEmpty(),
                "Healthy", seen.podsByRank().values().stream().mapToInt(List::size).sum() + " selected pod(s) without OOM kills, error exits, evictions or restart loops in the window.",
                "NoPodsObserved", "No selected pod with a known rank has been observed yet.");
        s.setConditions(c.conditions());
        return s;
    }

    /**
     * Identity → since and first step of the findings in a status, to carry "since when" and "from which step" across
     * reconciles.
     */
    public static Map<String, FirstSeen> firstSeenByIdentity(LandscapeProbeStatus status) {
        Map<String, FirstSeen> out = new HashMap<>();
        if (status == null) {
            return out;
        }
        for (FindingStatus f : status.getFindings()) {
            Optional<Reason> r = Reason.of(f.getReason());
            if (r.isPresent() && f.getSince() != null) {
                try {
                    out.put(Correlator.identity(r.get(), f.getRank() == null ? OptionalInt.empty() : OptionalInt.of(f.getRank())),
                            new FirstSeen(Instant.parse(f.getSince()),
                                    f.getStep() == null ? OptionalLong.empty() : OptionalLong.of(f.getStep())));
                } catch (RuntimeException ignored) {
                    // a since that does not parse starts again from now
                }
            }
        }
        return out;
    }

    /** The deduplication key of a finding as stored in status (see {@link CorrelatedFinding#key()}). */
    public static String key(FindingStatus f) {
        return f.getReason() + "/" + (f.getRank() == null ? "job" : f.getRank()) + "/"
                + (f.getSince() == null ? "" : Instant.parse(f.getSince()).getEpochSecond());
    }

    private static void family(ConditionAggregator c, ConditionType type, Reason.Family family, List<CorrelatedFinding> findings,
                               boolean evidence, String okReason, String okMessage, String unknownReason, String unknownMessage) {
        Optional<CorrelatedFinding> worst = findings.stream().filter(f -> f.reason().family() == family).findFirst();
        if (worst.isPresent()) {
            long more = findings.stream().filter(f -> f.reason().family() == family).count() - 1;
            c.set(type, false, worst.get().reason().name(), worst.get().message()
                    + (more > 0 ? " (" + more + " more finding(s) in status.findings)" : ""));
        } else if (evidence) {
            c.set(type, true, okReason, okMessage);
        } else {
            c.unknown(type, unknownReason, unknownMessage);
        }
    }

    /**
     * Ready says whether the probe is doing its job: accepted, and at least one selected pod carries the sidecar.
     * A probe that selects nothing, or whose pods all run without the sidecar, watches nothing, and says so.
     */
    private static void ready(ConditionAggregator c, Observation seen) {
        int pods = seen.podsByRank().values().stream().mapToInt(List::size).sum() + seen.unranked().size();
        if (pods == 0) {
            c.set(ConditionType.READY, false, "NoPodsSelected", "Probe accepted, but no pod in its namespace matches"
                    + " spec.selector: the job has not started, has finished, or the selector does not match its pod labels.");
            return;
        }
        if (seen.injected() == 0) {
            c.set(ConditionType.READY, false, "NoPodsInjected", "Probe accepted; " + pods + " selected pod(s), none with"
                    + " the sidecar: they were created before the probe or while the webhook was unavailable, opted out,"
                    + " or were skipped (see the probe's InjectionSkipped Events). Recreate the pods to inject them.");
            return;
        }
        String message = "Probe accepted; " + pods + " selected pod(s), " + seen.injected() + " with the sidecar";
        if (!seen.unranked().isEmpty()) {
            message += "; rank unknown for " + String.join(", ", seen.unranked().stream().limit(5).toList())
                    + (seen.unranked().size() > 5 ? " and " + (seen.unranked().size() - 5) + " more" : "")
                    + " (set spec.rank)";
        }
        c.set(ConditionType.READY, true, "Accepted", message + ".");
    }

    private static String stepSuffix(LandscapeProbeStatus s) {
        return s.getLatestStep() == null ? "" : " (latest step " + s.getLatestStep() + ")";
    }

    private static FindingStatus toStatus(CorrelatedFinding f, Optional<Instant> silencedUntil) {
        FindingStatus out = new FindingStatus();
        out.setSilencedUntil(silencedUntil.map(Instant::toString).orElse(null));
        out.setReason(f.reason().name());
        out.setSeverity(f.severity());
        out.setRank(f.rank().isPresent() ? f.rank().getAsInt() : null);
        out.setPod(f.pod() == null || f.pod().isEmpty() ? null : f.pod());
        out.setStep(f.step().isPresent() ? f.step().getAsLong() : null);
        out.setMessage(f.message());
        out.setRemedy(f.remedy());
        out.setSince(f.since().toString());
        Map<String, Double> values = new HashMap<>();
        f.values().forEach((k, v) -> values.put(k, round(v)));
        out.setValues(values.isEmpty() ? null : values);
        return out;
    }

    /** Four significant digits: enough to read, stable enough not to rewrite status on noise. */
    static Double round(double v) {
        if (!Double.isFinite(v) || v == 0) {
            return Double.isFinite(v) ? v : null;
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).doubleValue();
    }
}
