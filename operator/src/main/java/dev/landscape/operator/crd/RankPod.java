package dev.landscape.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A pod that held the rank, and the restart count already accounted for (so counts survive operator restarts). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RankPod {

    private String name;
    private String uid;
    private String node;
    private String firstSeen;
    private String lastSeen;
    private Integer restartsCounted;
    private Boolean terminationRecorded;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getUid() {
        return uid;
    }

    public void setUid(String uid) {
        this.uid = uid;
    }

    public String getNode() {
        return node;
    }

    public void setNode(String node) {
        this.node = node;
    }

    public String getFirstSeen() {
        return firstSeen;
    }

    public void setFirstSeen(String firstSeen) {
        this.firstSeen = firstSeen;
    }

    public String getLastSeen() {
        return lastSeen;
    }

    public void setLastSeen(String lastSeen) {
        this.lastSeen = lastSeen;
    }

    public Integer getRestartsCounted() {
        return restartsCounted;
    }

    public void setRestartsCounted(Integer restartsCounted) {
        this.restartsCounted = restartsCounted;
    }

    public Boolean getTerminationRecorded() {
        return terminationRecorded;
    }

    public void setTerminationRecorded(Boolean terminationRecorded) {
        this.terminationRecorded = terminationRecorded;
    }
}
