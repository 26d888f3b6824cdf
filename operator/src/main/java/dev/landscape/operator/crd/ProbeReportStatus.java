package dev.landscape.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.ArrayList;
import java.util.List;

/** One rank's pods over time, its last checkpoint summaries, and the infrastructure events seen on it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProbeReportStatus {

    @JsonPropertyDescription("The pod currently holding this rank.")
    private String currentPod;

    @JsonPropertyDescription("Latest step reported.")
    private Long latestStep;

    @JsonPropertyDescription("Latest loss reported.")
    private Double latestLoss;

    @JsonPropertyDescription("Latest gradient norm (logged, or Adam first-moment proxy).")
    private Double latestGradNorm;

    @JsonPropertyDescription("Latest sharpness / edge-of-stability threshold.")
    private Double latestEosRatio;

    @JsonPropertyDescription("Container restarts of this rank's pods, counted once each.")
    private Integer restarts;

    @JsonPropertyDescription("OOM kills of this rank's pods, counted once each.")
    private Integer oomKills;

    @JsonPropertyDescription("When the latest report arrived (RFC 3339).")
    private String lastReportTime;

    @JsonPropertyDescription("Reports accepted for this rank (duplicates not counted).")
    private Integer reportsAccepted;

    @JsonPropertyDescription("Checkpoints the sidecar skipped because a newer one was waiting.")
    private Integer skippedCheckpoints;

    @JsonPropertyDescription("Step at which the sketches below were taken.")
    private Long sketchStep;

    @JsonPropertyDescription("CountSketch fingerprints of the latest checkpoint's replicated tensors.")
    private List<SketchStatus> sketches;

    @JsonPropertyDescription("Pods that have held this rank, oldest first.")
    private List<RankPod> pods = new ArrayList<>();

    @JsonPropertyDescription("The last K checkpoint summaries, oldest first.")
    private List<CheckpointSummary> checkpoints = new ArrayList<>();

    @JsonPropertyDescription("Terminations, OOM kills, evictions and restarts seen on this rank, oldest first (bounded).")
    private List<InfraEvent> events = new ArrayList<>();

    public String getCurrentPod() {
        return currentPod;
    }

    public void setCurrentPod(String currentPod) {
        this.currentPod = currentPod;
    }

    public Long getLatestStep() {
        return latestStep;
    }

    public void setLatestStep(Long latestStep) {
        this.latestStep = latestStep;
    }

    public Double getLatestLoss() {
        return latestLoss;
    }

    public void setLatestLoss(Double latestLoss) {
        this.latestLoss = latestLoss;
    }

    public Double getLatestGradNorm() {
        return latestGradNorm;
    }

    public void setLatestGradNorm(Double latestGradNorm) {
        this.latestGradNorm = latestGradNorm;
    }

    public Double getLatestEosRatio() {
        return latestEosRatio;
    }

    public void setLatestEosRatio(Double latestEosRatio) {
        this.latestEosRatio = latestEosRatio;
    }

    public Integer getRestarts() {
        return restarts;
    }

    public void setRestarts(Integer restarts) {
        this.restarts = restarts;
    }

    public Integer getOomKills() {
        return oomKills;
    }

    public void setOomKills(Integer oomKills) {
        this.oomKills = oomKills;
    }

    public String getLastReportTime() {
        return lastReportTime;
    }

    public void setLastReportTime(String lastReportTime) {
        this.lastReportTime = lastReportTime;
    }

    public Integer getReportsAccepted() {
        return reportsAccepted;
    }

    public void setReportsAccepted(Integer reportsAccepted) {
        this.reportsAccepted = reportsAccepted;
    }

    public Integer getSkippedCheckpoints() {
        return skippedCheckpoints;
    }

    public void setSkippedCheckpoints(Integer skippedCheckpoints) {
        this.skippedCheckpoints = skippedCheckpoints;
    }

    public Long getSketchStep() {
        return sketchStep;
    }

    public void setSketchStep(Long sketchStep) {
        this.sketchStep = sketchStep;
    }

    public List<SketchStatus> getSketches() {
        return sketches;
    }

    public void setSketches(List<SketchStatus> sketches) {
        this.sketches = sketches;
    }

    public List<RankPod> getPods() {
        return pods;
    }

    public void setPods(List<RankPod> pods) {
        this.pods = pods == null ? new ArrayList<>() : pods;
    }

    public List<CheckpointSummary> getCheckpoints() {
        return checkpoints;
    }

    public void setCheckpoints(List<CheckpointSummary> checkpoints) {
        this.checkpoints = checkpoints == null ? new ArrayList<>() : checkpoints;
    }

    public List<InfraEvent> getEvents() {
        return events;
    }

    public void setEvents(List<InfraEvent> events) {
        this.events = events == null ? new ArrayList<>() : events;
    }
}
