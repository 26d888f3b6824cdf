package dev.landscape.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks a decoded {@link CheckpointReport} before anything is stored: required fields present, names that can be
 * Kubernetes object names, values in range. Each error names the JSON field, so a 400 tells the sender exactly
 * what to fix.
 */
public final class ReportValidator {

    /** One problem: the JSON path of the field and what is wrong with it. */
    public record FieldError(String field, String message) {
        @Override
        public String toString() {
            return field + ": " + message;
        }
    }

    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$");
    private static final Pattern RFC3339 = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$");

    /** Bounds that keep one report far below the 1 MiB object limit of the rank's ProbeReport. */
    public static final int MAX_SKETCHES = 256;
    public static final int MAX_SKETCH_WIDTH = 4096;
    /** All sketch values of one report together: 16,384 doubles, about 350 KB of JSON at most. */
    public static final int MAX_SKETCH_VALUES = 16_384;
    public static final int MAX_FINDINGS = 64;
    /** Classes whose mean loss one report carries; a model with more (a language model's vocabulary) sends none. */
    public static final int MAX_CLASS_LOSSES = 64;

    private ReportValidator() {
    }

    public static List<FieldError> validate(CheckpointReport r) {
        List<FieldError> errors = new ArrayList<>();
        if (r == null) {
            errors.add(new FieldError("$", "the body is not a report object"));
            return errors;
        }
        if (!CheckpointReport.API_VERSION.equals(r.apiVersion())) {
            errors.add(new FieldError("apiVersion", r.apiVersion() == null ? "is required"
                    : "\"" + r.apiVersion() + "\" is not supported (expected " + CheckpointReport.API_VERSION + ")"));
        }
        name(errors, "probe", r.probe());
        name(errors, "namespace", r.namespace());
        name(errors, "pod", r.pod());
        if (r.rank() == null) {
            errors.add(new FieldError("rank", "is required"));
        } else if (r.rank() < 0) {
            errors.add(new FieldError("rank", "must be ≥ 0, got " + r.rank()));
        }
        if (r.step() == null) {
            errors.add(new FieldError("step", "is required"));
        } else if (r.step() < 0) {
            errors.add(new FieldError("step", "must be ≥ 0, got " + r.step()));
        }
        if (r.checkpoint() == null || r.checkpoint().path() == null || r.checkpoint().path().isBlank()) {
            errors.add(new FieldError("checkpoint.path", "is required"));
        }
        if (r.observedAt() == null) {
            errors.add(new FieldError("observedAt", "is required"));
        } else if (!RFC3339.matcher(r.observedAt()).matches()) {
            errors.add(new FieldError("observedAt", "\"" + r.observedAt() + "\" is not an RFC 3339 time"));
        }
        if (r.tier1() == null) {
            errors.add(new FieldError("tier1", "is required"));
        }
        if (r.tier2() != null && r.tier2().classLosses().size() > MAX_CLASS_LOSSES) {
            errors.add(new FieldError("tier2.classLosses", "has " + r.tier2().classLosses().size() + " classes, more than "
                    + MAX_CLASS_LOSSES));
        }
        if (r.sketches().size() > MAX_SKETCHES) {
            errors.add(new FieldError("sketches", "has " + r.sketches().size() + " entries, more than " + MAX_SKETCHES));
        }
        long totalValues = r.sketches().stream().filter(java.util.Objects::nonNull).mapToLong(s -> s.values().size()).sum();
        if (totalValues > MAX_SKETCH_VALUES) {
            errors.add(new FieldError("sketches", "hold " + totalValues + " values in all, more than " + MAX_SKETCH_VALUES
                    + ": sketch layer groups rather than every tensor, or lower the width"));
        }
        for (int i = 0; i < r.sketches().size(); i++) {
            TensorSketch s = r.sketches().get(i);
            if (s == null || s.tensor() == null || s.tensor().isBlank()) {
                errors.add(new FieldError("sketches[" + i + "].tensor", "is required"));
            } else if (s.values().size() > MAX_SKETCH_WIDTH) {
                errors.add(new FieldError("sketches[" + i + "].values", "width " + s.values().size() + " exceeds " + MAX_SKETCH_WIDTH));
            }
        }
        if (r.findings().size() > MAX_FINDINGS) {
            errors.add(new FieldError("findings", "has " + r.findings().size() + " entries, more than " + MAX_FINDINGS));
        }
        for (int i = 0; i < r.findings().size(); i++) {
            ReportedFinding f = r.findings().get(i);
            if (f == null || f.reason() == null || !f.reason().matches("[A-Z][A-Za-z0-9]*")) {
                errors.add(new FieldError("findings[" + i + "].reason", "must be one CamelCase word"));
            }
            if (f != null && !Severity.isWire(f.severity())) {
                errors.add(new FieldError("findings[" + i + "].severity", "must be info, warning or critical"));
            }
        }
        return errors;
    }

    private static void name(List<FieldError> errors, String field, String value) {
        if (value == null || value.isBlank()) {
            errors.add(new FieldError(field, "is required"));
        } else if (!DNS_SUBDOMAIN.matcher(value).matches()) {
            errors.add(new FieldError(field, "\"" + value + "\" is not a valid Kubernetes name"));
        }
    }
}
