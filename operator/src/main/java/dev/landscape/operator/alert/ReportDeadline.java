package dev.landscape.operator.alert;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a running rank's next report is overdue, for {@code LandscapeReportsNotArriving}: {@code staleIntervals}
 * times the rank's own checkpoint interval after its last report, or after its pod started when that is later (a
 * restarted rank resumes from a checkpoint and writes the next one an interval on). A rank that has not yet shown
 * an interval of its own is measured against the other ranks' median; a probe where no rank has is given
 * {@link #FIRST_REPORT_GRACE} for its first reports. Never sooner than {@link #FLOOR}, so that a job that checkpoints
 * every few seconds does not page for the length of one analysis. Pure.
 */
public final class ReportDeadline {

    /** How long a rank may run before its first report when no rank of the probe has a checkpoint interval yet. */
    public static final Duration FIRST_REPORT_GRACE = Duration.ofHours(1);
    /** The shortest time a report may be late before it counts as not arriving. */
    public static final Duration FLOOR = Duration.ofMinutes(10);

    private ReportDeadline() {
    }

    /**
     * @param runningSince   when the rank's current pod (with the sidecar) started running
     * @param lastReport     when the rank's latest report was accepted, if ever
     * @param ownInterval    the rank's median checkpoint interval, once it has two checkpoints
     * @param probeInterval  the median of the other ranks' intervals, if any has one
     * @param staleIntervals how many intervals of silence count as overdue (spec.thresholds.staleIntervals)
     */
    public static Instant due(Instant runningSince, Optional<Instant> lastReport, Optional<Duration> ownInterval,
                              Optional<Duration> probeInterval, double staleIntervals) {
        Instant reference = lastReport.filter(r -> r.isAfter(runningSince)).orElse(runningSince);
        Duration wait = ownInterval.or(() -> probeInterval)
                .map(i -> Duration.ofMillis(Math.round(i.toMillis() * staleIntervals)))
                .orElse(FIRST_REPORT_GRACE);
        return reference.plus(wait.compareTo(FLOOR) < 0 ? FLOOR : wait);
    }
}
