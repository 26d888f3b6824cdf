package dev.landscape.probe.findings;

import dev.landscape.contract.Reason;
import dev.landscape.contract.Severity;
import dev.landscape.probe.metrics.Tier1Metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** NonFiniteValues (critical): any NaN or ±Inf in the weights, the optimizer state or the logged loss. */
final class NonFiniteDetector implements Detector {

    @Override
    public Reason reason() {
        return Reason.NonFiniteValues;
    }

    @Override
    public boolean isEvent() {
        return false;
    }

    @Override
    public Optional<Finding> evaluate(List<Tier1Metrics> history, Thresholds t) {
        Tier1Metrics m = history.get(history.size() - 1);
        boolean badLoss = m.loss().isPresent() && !Double.isFinite(m.loss().getAsDouble());
        if (m.nonFinite() == 0 && !badLoss) {
            return Optional.empty();
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("nonFinite", (double) m.nonFinite());
        // Most NaN/Inf first, then by name: the message names the worst tensors, and the same input always reads the same.
        String where = m.nonFiniteTensors().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(5)
                .map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", "));
        StringBuilder msg = new StringBuilder("Step " + m.step() + ": ");
        if (m.nonFinite() > 0) {
            msg.append(m.nonFinite()).append(" NaN/Inf values in ").append(where)
                    .append(m.nonFiniteTensors().size() > 5 ? " and " + (m.nonFiniteTensors().size() - 5) + " more tensors" : "");
        }
        if (badLoss) {
            values.put("loss", m.loss().getAsDouble());
            msg.append(m.nonFinite() > 0 ? "; " : "").append("logged loss is ").append(m.loss().getAsDouble());
        }
        msg.append(". Training has diverged numerically: restart from the last finite checkpoint with a lower "
                + "learning rate, gradient clipping or loss scaling.");
        return Optional.of(new Finding(reason(), Severity.CRITICAL, m.step(), m.step(), values, msg.toString()));
    }
}
