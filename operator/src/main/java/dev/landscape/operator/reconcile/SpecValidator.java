package dev.landscape.operator.reconcile;

import dev.landscape.contract.Reason;
import dev.landscape.operator.crd.LandscapeProbeSpec;
import dev.landscape.operator.crd.MetricsSpec;
import dev.landscape.operator.crd.Patterns;
import dev.landscape.operator.crd.RankSource;
import dev.landscape.operator.crd.SchemaDefaults;
import dev.landscape.operator.crd.SilenceSpec;
import dev.landscape.operator.crd.SloSpec;
import dev.landscape.operator.crd.ThresholdsSpec;
import io.fabric8.kubernetes.api.model.LabelSelector;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The CRD's CEL rules (x-kubernetes-validations) again, for an API server without CEL support (before 1.25) and for
 * specs no API server has seen; CelRulesTest checks that both reject the same specs. Each problem names the field
 * and what to do. The schema's own rules (required, enum, pattern, min/max) are checked again
 * here only where a wrong value would otherwise reach the sidecar.
 */
public final class SpecValidator {

    private SpecValidator() {
    }

    /** The problems found, empty when the spec is usable. */
    public static List<String> validate(LandscapeProbeSpec spec) {
        List<String> problems = new ArrayList<>();
        if (spec == null) {
            problems.add("spec is missing: set spec.selector and spec.checkpoints");
            return problems;
        }
        LabelSelector selector = spec.getSelector();
        if (selector == null || (isEmpty(selector.getMatchLabels()) && isEmpty(selector.getMatchExpressions()))) {
            problems.add("spec.selector must have matchLabels or matchExpressions: an empty selector would probe every pod in the namespace");
        }
        if (spec.getCheckpoints() == null || spec.getCheckpoints().getVolume() == null) {
            problems.add("spec.checkpoints.volume is required: name the pod volume the trainer writes checkpoints to");
        } else if (!spec.getCheckpoints().getVolume().matches(Patterns.DNS_LABEL)) {
            problems.add("spec.checkpoints.volume \"" + spec.getCheckpoints().getVolume() + "\" is not a valid volume name");
        }
        RankSource rank = spec.getRank();
        if (rank != null && rank.getSource() != null && rank.getSource() != RankSource.Source.Auto
                && (rank.getKey() == null || rank.getKey().isBlank())) {
            problems.add("spec.rank.key is required when spec.rank.source is " + rank.getSource());
        }
        MetricsSpec metrics = spec.getMetrics();
        if (metrics != null && (metrics.getModel() == null) != (metrics.getBatch() == null)) {
            problems.add("spec.metrics.model and spec.metrics.batch must be given together: tier 2 needs both");
        }
        if (metrics != null && metrics.getSubsetParameters() != null && (metrics.getModelParameters() == null
                || metrics.getSubsetParameters() > metrics.getModelParameters())) {
            problems.add("spec.metrics.subsetParameters (" + metrics.getSubsetParameters() + ") needs spec.metrics."
                    + "modelParameters and must not exceed it (" + metrics.getModelParameters() + ")");
        }
        if (metrics != null && metrics.getParameters() != null) {
            for (String glob : metrics.getParameters()) {
                try {
                    java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + glob);
                } catch (IllegalArgumentException e) {
                    problems.add("spec.metrics.parameters entry \"" + glob + "\" is not a glob: " + e.getMessage());
                }
            }
        }
        ThresholdsSpec t = spec.getThresholds();
        if (t != null) {
            BigDecimal warn = positive(SchemaDefaults.orDefault(t.getEdgeOfStabilityWarning(), ThresholdsSpec.class,
                    "edgeOfStabilityWarning"), "spec.thresholds.edgeOfStabilityWarning", problems);
            BigDecimal crit = positive(SchemaDefaults.orDefault(t.getEdgeOfStabilityCritical(), ThresholdsSpec.class,
                    "edgeOfStabilityCritical"), "spec.thresholds.edgeOfStabilityCritical", problems);
            if (warn != null && crit != null && crit.compareTo(warn) < 0) {
                problems.add("spec.thresholds.edgeOfStabilityCritical (" + crit + ") must not be below edgeOfStabilityWarning (" + warn + ")");
            }
            positive(t.getSpikeZScore(), "spec.thresholds.spikeZScore", problems);
            BigDecimal cos = decimal(t.getUpdateOscillationCosine(), "spec.thresholds.updateOscillationCosine", problems);
            if (cos != null && (cos.compareTo(BigDecimal.ONE.negate()) < 0 || cos.compareTo(BigDecimal.ONE) > 0)) {
                problems.add("spec.thresholds.updateOscillationCosine must lie in [-1, 1], got " + cos);
            }
            BigDecimal plateau = decimal(t.getPlateauRelativeChange(), "spec.thresholds.plateauRelativeChange", problems);
            if (plateau != null && plateau.signum() < 0) {
                problems.add("spec.thresholds.plateauRelativeChange must not be negative, got " + plateau);
            }
            positive(t.getDivergence(), "spec.thresholds.divergence", problems);
            positive(t.getStepSkewIntervals(), "spec.thresholds.stepSkewIntervals", problems);
            positive(t.getStaleIntervals(), "spec.thresholds.staleIntervals", problems);
        }
        silences(spec.getSilences(), problems);
        if (spec.getSlo() != null && spec.getSlo().getObjective() != null) {
            String objective = spec.getSlo().getObjective();
            if (!objective.matches(SloSpec.OBJECTIVE_PATTERN) || new BigDecimal(objective).signum() <= 0) {
                problems.add("spec.slo.objective \"" + objective + "\" must be a percentage above 0 and below 100, e.g. \"99\" or \"99.5\"");
            }
        }
        return problems;
    }

    private static BigDecimal positive(String value, String field, List<String> problems) {
        BigDecimal d = decimal(value, field, problems);
        if (d != null && d.signum() <= 0) {
            problems.add(field + " must be positive, got " + d);
        }
        return d;
    }

    private static void silences(List<SilenceSpec> silences, List<String> problems) {
        if (silences == null) {
            return;
        }
        for (int i = 0; i < silences.size(); i++) {
            SilenceSpec s = silences.get(i);
            String at = "spec.silences[" + i + "]";
            Instant start = timestamp(s.getStart(), at + ".start", problems);
            Instant end = timestamp(s.getEnd(), at + ".end", problems);
            if (start != null && end != null && !end.isAfter(start)) {
                problems.add(at + ".end (" + s.getEnd() + ") must be after its start (" + s.getStart() + ")");
            }
            if (s.getReason() == null || s.getReason().isBlank()) {
                problems.add(at + ".reason is required: say why findings are silenced");
            }
            for (String r : s.getFindingReasons() == null ? List.<String>of() : s.getFindingReasons()) {
                if (Reason.of(r).isEmpty()) {
                    problems.add(at + ".findingReasons: \"" + r + "\" is not a finding reason (one of " + Arrays.toString(Reason.values()) + ")");
                }
            }
            for (Integer rank : s.getRanks() == null ? List.<Integer>of() : s.getRanks()) {
                if (rank == null || rank < 0) {
                    problems.add(at + ".ranks: " + rank + " is not a rank (0 or more)");
                }
            }
        }
    }

    private static Instant timestamp(String value, String field, List<String> problems) {
        if (value == null) {
            problems.add(field + " is required (RFC 3339, e.g. 2026-12-07T22:00:00Z)");
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            problems.add(field + " \"" + value + "\" is not an RFC 3339 timestamp with a zone, e.g. 2026-12-07T22:00:00Z");
            return null;
        }
    }

    private static BigDecimal decimal(String value, String field, List<String> problems) {
        if (value == null) {
            return null;
        }
        if (!value.matches(Patterns.DECIMAL)) {
            problems.add(field + " \"" + value + "\" is not a decimal number (write it as a string, e.g. \"0.5\" or \"1e-4\")");
            return null;
        }
        return new BigDecimal(value);
    }

    private static boolean isEmpty(java.util.Collection<?> c) {
        return c == null || c.isEmpty();
    }

    private static boolean isEmpty(java.util.Map<?, ?> m) {
        return m == null || m.isEmpty();
    }
}
