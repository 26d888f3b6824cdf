package dev.landscape.operator.ingest;

import dev.landscape.contract.CheckpointReport;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.observe.LabelSelectors;
import dev.landscape.operator.rank.JobSetShapes;
import dev.landscape.operator.rank.RankResolution;
import dev.landscape.operator.rank.RankResolver;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.Objects;
import java.util.Optional;

/**
 * Whether the pod behind a token may report for the probe it names: same namespace, the report's pod is the
 * token's pod (same UID when the token carries one), the pod is selected by the probe, and the report's rank is the
 * pod's rank — the one the webhook recorded on it, which the observer files the pod's restarts and OOM kills under
 * ({@link RankResolver#of}). A sidecar can speak only for its own pod, its own rank, and only about a probe that
 * watches it. Pure but for the JobSet lookup a rank may need.
 */
public final class ReportAuthorizer {

    private ReportAuthorizer() {
    }

    /** @return why the report is refused, or empty when it is allowed */
    public static Optional<String> refuse(TokenReviewer.Identity who, CheckpointReport report, LandscapeProbe probe, Pod pod,
                                          JobSetShapes jobSets) {
        if (!who.namespace().equals(report.namespace())) {
            return Optional.of("token belongs to namespace " + who.namespace() + ", report is for namespace " + report.namespace());
        }
        if (!who.podName().equals(report.pod())) {
            return Optional.of("token belongs to pod " + who.podName() + ", report claims pod " + report.pod());
        }
        if (probe == null) {
            return Optional.of("no LandscapeProbe " + report.probe() + " in namespace " + report.namespace());
        }
        if (pod == null) {
            return Optional.of("pod " + report.pod() + " does not exist in namespace " + report.namespace());
        }
        if (who.podUid() != null && !Objects.equals(who.podUid(), pod.getMetadata().getUid())) {
            return Optional.of("token was issued to an earlier pod named " + report.pod());
        }
        if (!LabelSelectors.matches(probe.getSpec() == null ? null : probe.getSpec().getSelector(), pod.getMetadata().getLabels())) {
            return Optional.of("pod " + report.pod() + " is not selected by LandscapeProbe " + report.probe());
        }
        RankResolution rank = RankResolver.of(probe, pod, jobSets);
        if (rank.number().isEmpty()) {
            return Optional.of("the rank of pod " + report.pod() + " cannot be told (" + rank.origin() + "), so no rank's"
                    + " history may be written for it; set spec.rank of LandscapeProbe " + report.probe());
        }
        if (rank.number().getAsInt() != report.rank()) {
            return Optional.of("report claims rank " + report.rank() + ", but pod " + report.pod() + " holds rank "
                    + rank.value() + " (" + rank.origin() + ")");
        }
        return Optional.empty();
    }
}
