package dev.landscape.contract;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * One analysed checkpoint of one rank, as the sidecar POSTs it to the operator's
 * {@code /api/v1alpha1/reports}. Defined once and shared, so the two sides cannot drift. Unknown fields are
 * ignored (newer sidecars may add some); missing required ones make the operator answer 400 with the field
 * names ({@link ReportValidator}). {@code (probe, rank, step)} is the idempotency key: a report delivered twice
 * (sidecar retry, spool replay) is stored once.
 *
 * @param apiVersion {@value #API_VERSION}
 * @param probe      name of the LandscapeProbe (same namespace as the pod)
 * @param namespace  the pod's namespace
 * @param pod        the reporting pod's name
 * @param rank       the pod's rank (0-based)
 * @param step       the checkpoint's training step
 * @param checkpoint which checkpoint was analysed
 * @param observedAt when the analysis finished (RFC 3339)
 * @param tier1      model-free metrics, always present
 * @param tier2      model-based curvature, when configured and computed
 * @param sketches   CountSketch fingerprints of replicated tensors, for cross-rank comparison
 * @param findings   findings the sidecar raised itself from this rank's history
 * @param skipped    checkpoints dropped since the last report because a newer one arrived first
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CheckpointReport(
        String apiVersion,
        String probe,
        String namespace,
        String pod,
        Integer rank,
        Long step,
        CheckpointRef checkpoint,
        String observedAt,
        Tier1Summary tier1,
        Tier2Metrics tier2,
        List<TensorSketch> sketches,
        List<ReportedFinding> findings,
        List<SkippedCheckpoint> skipped) {

    public static final String API_VERSION = "landscape.dev/v1alpha1";

    /** Reports larger than this are refused (413): sketches are bounded by width and tensor count well below it. */
    public static final int MAX_BYTES = 512 * 1024;

    public CheckpointReport {
        sketches = sketches == null ? List.of() : List.copyOf(sketches);
        findings = findings == null ? List.of() : List.copyOf(findings);
        skipped = skipped == null ? List.of() : List.copyOf(skipped);
    }

    /** The idempotency key {@code probe/rank/step}. */
    @JsonIgnore
    public String idempotencyKey() {
        return probe + "/" + rank + "/" + step;
    }

    /** Which checkpoint: its path inside the pod, its format name and when it was seen complete. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CheckpointRef(String path, String format, String completedAt) {
    }

    /** A checkpoint the sidecar did not analyse because a newer one was already waiting. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SkippedCheckpoint(Long step, String path) {
    }
}
