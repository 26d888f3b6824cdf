package dev.landscape.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** Identity only: which probe and which rank. Everything observed goes to status. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProbeReportSpec {

    @Required
    @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
    @JsonPropertyDescription("Name of the owning LandscapeProbe.")
    private String probe;

    @Required
    @Min(0)
    @Max(1048576)
    @JsonPropertyDescription("The rank this report describes.")
    private Integer rank;

    public String getProbe() {
        return probe;
    }

    public void setProbe(String probe) {
        this.probe = probe;
    }

    public Integer getRank() {
        return rank;
    }

    public void setRank(Integer rank) {
        this.rank = rank;
    }
}
