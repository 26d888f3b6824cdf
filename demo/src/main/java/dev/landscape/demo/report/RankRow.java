package dev.landscape.demo.report;

import java.util.List;
import java.util.Objects;

/**
 * One rank at the end of the run.
 *
 * @param rank            the rank
 * @param pod             its current pod
 * @param latestStep      the latest step analysed, or {@code null} when none was
 * @param restarts        container restarts of the rank's trainer
 * @param lastTermination e.g. {@code OOMKilled (exit 137)}; empty when it never terminated
 * @param findings        reasons of the findings active on this rank
 */
public record RankRow(int rank, String pod, Long latestStep, int restarts, String lastTermination,
                      List<String> findings) {
    public RankRow {
        Objects.requireNonNull(pod, "pod");
        lastTermination = lastTermination == null ? "" : lastTermination;
        findings = findings == null ? List.of() : List.copyOf(findings);
    }
}
