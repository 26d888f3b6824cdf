package dev.landscape.probe.findings;

import dev.landscape.contract.Reason;
import dev.landscape.contract.Severity;
import dev.landscape.probe.metrics.Tier1Metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * UpdateOscillation (warning): the cosine between consecutive updates is at most {@code oscillationCosine} for
 * {@code oscillationCheckpoints} checkpoints in a row: the weights bounce across a valley instead of going down
 * it, the period-two pattern of a step size at or past the edge of stability along the sharpest direction.
 */
final class OscillationDetector implements Detector {

    @Override
    public Reason reason() {
        return Reason.UpdateOscillation;
    }

    @Override
    public boolean isEvent() {
        return false;
    }

    @Override
    public Optional<Finding> evaluate(List<Tier1Metrics> history, Thresholds t) {
        int n = t.oscillationCheckpoints();
        if (history.size() < n) {
            return Optional.empty();
        }
        double worst = -1;
        for (Tier1Metrics m : history.subList(history.size() - n, history.size())) {
            if (!(m.updateCosine() <= t.oscillationCosine())) {
                return Optional.empty();
            }
            worst = Math.max(worst, m.updateCosine());
        }
        Tier1Metrics m = history.get(history.size() - 1);
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("updateCosine", m.updateCosine());
        values.put("maxCosine", worst);
        String msg = String.format(Locale.ROOT, "Step %d: consecutive updates have pointed against each other for %d "
                + "checkpoints (cosine %.3f now, at most %.3f). The step size is too large for the sharpest "
                + "direction: lower the learning rate or raise momentum damping.", m.step(), n, m.updateCosine(), worst);
        return Optional.of(new Finding(reason(), Severity.WARNING, m.step(), m.step(), values, msg));
    }
}
