package dev.landscape.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;

/**
 * A planned window in which findings stay recorded and visible but page nobody: a retrain, a restart, maintenance.
 * Limited to some finding reasons and ranks when those are given, else every finding of the probe.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "timestamp(self.end) > timestamp(self.start)", message = "a silence's end must be after its start")
public class SilenceSpec {

    @Required
    @Pattern(Patterns.TIMESTAMP)
    @Size(max = 40)
    @JsonPropertyDescription("When the silence begins (RFC 3339, e.g. 2026-12-07T22:00:00Z).")
    private String start;

    @Required
    @Pattern(Patterns.TIMESTAMP)
    @Size(max = 40)
    @JsonPropertyDescription("When it ends (RFC 3339); findings raise alerts again from then on.")
    private String end;

    @Required
    @Size(min = 1, max = 256)
    @JsonPropertyDescription("Why, for whoever wonders why nothing paged (e.g. 'planned restart for the LR sweep, JIRA-123').")
    private String reason;

    @Size(max = 20)
    @JsonPropertyDescription("Only findings with these reasons (e.g. LossSpike, RestartLoop). Empty: every reason.")
    private List<String> findingReasons;

    @Size(max = 1024)
    @JsonPropertyDescription("Only findings on these ranks. Empty: every rank, job-wide findings included.")
    private List<Integer> ranks;

    public String getStart() {
        return start;
    }

    public void setStart(String start) {
        this.start = start;
    }

    public String getEnd() {
        return end;
    }

    public void setEnd(String end) {
        this.end = end;
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
