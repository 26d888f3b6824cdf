package dev.landscape.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.List;

/** A silence in force when the status was written, and where it came from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ActiveSilence {

    @JsonPropertyDescription("spec.silences[i] or the annotation " + SilenceAnnotations.UNTIL + ".")
    private String source;

    @JsonPropertyDescription("When it ends (RFC 3339).")
    private String until;

    @JsonPropertyDescription("Why, as given.")
    private String reason;

    @JsonPropertyDescription("Finding reasons it covers; absent: all.")
    private List<String> findingReasons;

    @JsonPropertyDescription("Ranks it covers; absent: all.")
    private List<Integer> ranks;

    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }

    public String getUntil() {
        return until;
    }

    public void setUntil(String until) {
        this.until = until;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public List<String> getFindingReasons() {
        return findingReasons;
    }

    public void setFindingReasons(List<String> findingReasons) {
        this.findingReasons = findingReasons;
    }

    public List<Integer> getRanks() {
        return ranks;
    }

    public void setRanks(List<Integer> ranks) {
        this.ranks = ranks;
    }
}
