package dev.landscape.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A container termination or restart on the rank, keyed by pod UID, container and restart count (idempotent). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class InfraEvent {

    private String time;
    private String pod;
    private String podUid;
    private String container;
    /** OOMKilled, Error, Evicted, CrashLoopBackOff, Completed ... as Kubernetes names them. */
    private String reason;
    private Integer exitCode;
    private Integer restartCount;
    private String message;

    public String getTime() {
        return time;
    }

    public void setTime(String time) {
        this.time = time;
    }

    public String getPod() {
        return pod;
    }

    public void setPod(String pod) {
        this.pod = pod;
    }

    public String getPodUid() {
        return podUid;
    }

    public void setPodUid(String podUid) {
        this.podUid = podUid;
    }

    public String getContainer() {
        return container;
    }

    public void setContainer(String container) {
        this.container = container;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public Integer getExitCode() {
        return exitCode;
    }

    public void setExitCode(Integer exitCode) {
        this.exitCode = exitCode;
    }

    public Integer getRestartCount() {
        return restartCount;
    }

    public void setRestartCount(Integer restartCount) {
        this.restartCount = restartCount;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }
}
