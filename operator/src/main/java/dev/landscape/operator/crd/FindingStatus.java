package dev.landscape.operator.crd;

import dev.landscape.contract.Severity;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.Map;

/** One finding as on-call sees it: what, where (rank, pod, step), since when, and what usually fixes it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FindingStatus {

    @JsonPropertyDescription("CamelCase reason, e.g. EdgeOfStability, WorkerDivergence, InstabilityBeforeFailure.")
    private String reason;

    @JsonPropertyDescription("info, warning or critical.")
    private Severity severity;

    @JsonPropertyDescription("Rank concerned; absent for job-wide findings.")
    private Integer rank;

    @JsonPropertyDescription("Pod concerned, when one is.")
    private String pod;

    @JsonPropertyDescription("Training step at which it was first seen.")
    private Long step;

    @JsonPropertyDescription("A sentence naming rank, pod, step and values.")
    private String message;

    @JsonPropertyDescription("What usually fixes it.")
    private String remedy;

    @JsonPropertyDescription("When it was first raised (RFC 3339).")
    private String since;

    @JsonPropertyDescription("The numbers behind it (e.g. z, ratio, relativeDistance, leadSeconds).")
    private Map<String, Double> values;

    @JsonPropertyDescription("Set while a silence covers this finding: until when (RFC 3339). It raises no alert and a Normal Event.")
    private String silencedUntil;

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public Severity getSeverity() {
        return severity;
    }

    public void setSeverity(Severity severity) {
        this.severity = severity;
    }

    public Integer getRank() {
        return rank;
    }

    public void setRank(Integer rank) {
        this.rank = rank;
    }

    public String getPod() {
        return pod;
    }

    public void setPod(String pod) {
        this.pod = pod;
    }

    public Long getStep() {
        return step;
    }

    public void setStep(Long step) {
        this.step = step;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    public String getRemedy() {
        return remedy;
    }

    public void setRemedy(String remedy) {
        this.remedy = remedy;
    }

    public String getSince() {
        return since;
    }

    public void setSince(String since) {
        this.since = since;
    }

    public String getSilencedUntil() {
        return silencedUntil;
    }

    public void setSilencedUntil(String silencedUntil) {
        this.silencedUntil = silencedUntil;
    }

    public Map<String, Double> getValues() {
        return values;
    }

    public void setValues(Map<String, Double> values) {
        this.values = values;
    }
}
