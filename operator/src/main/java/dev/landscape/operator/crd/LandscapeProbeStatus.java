package dev.landscape.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;

/**
 * What on-call reads first: four conditions that summarise the active findings, a few aggregates that the printer
 * columns show, and the latest findings (bounded by {@code spec.history.findings}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LandscapeProbeStatus {

    @JsonPropertyDescription("The metadata.generation this status describes.")
    private Long observedGeneration;

    @JsonPropertyDescription("Ready, TrainingStable, WorkersInSync and InfrastructureHealthy.")
    private List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("Ranks that have reported or whose pods are selected.")
    private Integer ranks;

    @JsonPropertyDescription("Highest training step reported by any rank.")
    private Long latestStep;

    @JsonPropertyDescription("Worst sharpness / edge-of-stability threshold across ranks at their latest checkpoint.")
    private Double worstEosRatio;

    @JsonPropertyDescription("Rank with the worst edge-of-stability ratio.")
    private Integer worstEosRank;

    @JsonPropertyDescription("Largest gradient norm (logged, or the Adam first-moment proxy) across ranks at their latest checkpoint.")
    private Double maxGradNorm;

    @JsonPropertyDescription("Largest relative distance between a replicated tensor on one rank and the others.")
    private Double maxDivergence;

    @JsonPropertyDescription("Rank furthest from the others.")
    private Integer maxDivergenceRank;

    @JsonPropertyDescription("Container restarts of the selected pods, counted once each across operator restarts.")
    private Integer restarts;

    @JsonPropertyDescription("OOM kills of the selected pods, counted once each across operator restarts.")
    private Integer oomKills;

    @JsonPropertyDescription("Selected pods that carry the probe sidecar.")
    private Integer podsInjected;

    @JsonPropertyDescription("Selected pods without the sidecar (created before the probe, opted out, or skipped).")
    private Integer podsUninjected;

    @JsonPropertyDescription("When the latest report arrived (RFC 3339).")
    private String lastReportTime;

    @JsonPropertyDescription("The latest findings, newest first.")
    private List<FindingStatus> findings = new ArrayList<>();

    @JsonPropertyDescription("Until when findings of this probe are silenced (RFC 3339): the end of the silence in force that ends last. Absent when none is.")
    private String silencedUntil;

    @JsonPropertyDescription("The silences in force (spec.silences and the silenced-until annotation).")
    private List<ActiveSilence> silences;

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public Integer getRanks() {
        return ranks;
    }

    public void setRanks(Integer ranks) {
        this.ranks = ranks;
    }

    public Long getLatestStep() {
        return latestStep;
    }

    public void setLatestStep(Long latestStep) {
        this.latestStep = latestStep;
    }

    public Double getWorstEosRatio() {
        return worstEosRatio;
    }

    public void setWorstEosRatio(Double worstEosRatio) {
        this.worstEosRatio = worstEosRatio;
    }

    public Integer getWorstEosRank() {
        return worstEosRank;
    }

    public void setWorstEosRank(Integer worstEosRank) {
        this.worstEosRank = worstEosRank;
    }

    public Double getMaxGradNorm() {
        return maxGradNorm;
    }

    public void setMaxGradNorm(Double maxGradNorm) {
        this.maxGradNorm = maxGradNorm;
    }

    public Double getMaxDivergence() {
        return maxDivergence;
    }

    public void setMaxDivergence(Double maxDivergence) {
        this.maxDivergence = maxDivergence;
    }

    public Integer getMaxDivergenceRank() {
        return maxDivergenceRank;
    }

    public void setMaxDivergenceRank(Integer maxDivergenceRank) {
        this.maxDivergenceRank = maxDivergenceRank;
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

    public Integer getPodsInjected() {
        return podsInjected;
    }

    public void setPodsInjected(Integer podsInjected) {
        this.podsInjected = podsInjected;
    }

    public Integer getPodsUninjected() {
        return podsUninjected;
    }

    public void setPodsUninjected(Integer podsUninjected) {
        this.podsUninjected = podsUninjected;
    }

    public String getLastReportTime() {
        return lastReportTime;
    }

    public void setLastReportTime(String lastReportTime) {
        this.lastReportTime = lastReportTime;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions == null ? new ArrayList<>() : conditions;
    }

    public String getSilencedUntil() {
        return silencedUntil;
    }

    public void setSilencedUntil(String silencedUntil) {
        this.silencedUntil = silencedUntil;
    }

    public List<ActiveSilence> getSilences() {
        return silences;
    }

    public void setSilences(List<ActiveSilence> silences) {
        this.silences = silences;
    }

    public List<FindingStatus> getFindings() {
        return findings;
    }

    public void setFindings(List<FindingStatus> findings) {
        this.findings = findings == null ? new ArrayList<>() : findings;
    }
}
