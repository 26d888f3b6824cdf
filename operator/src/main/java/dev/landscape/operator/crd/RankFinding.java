package dev.landscape.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/** A finding the sidecar raised on one checkpoint, kept with that checkpoint's summary. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RankFinding {

    private String reason;
    private String severity;
    private String message;
    private Map<String, Double> values;

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getSeverity() {
        return severity;
    }

    public void setSeverity(String severity) {
        this.severity = severity;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    public Map<String, Double> getValues() {
        return values;
    }

    public void setValues(Map<String, Double> values) {
        this.values = values;
    }
}
