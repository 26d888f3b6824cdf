package dev.landscape.probe.findings;

import dev.landscape.probe.metrics.Tier1Metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Plateau (info): the logged loss changed by at most {@code plateauRelativeChange} (relative) between the checkpoint
 * {@code plateauCheckpoints} ago and this one. Failure mode: a loss that rises and comes back within the window
 * reads as flat; a noisy stochastic loss rarely does.
 */
final class PlateauDetector implements Detector {

    @Override
    public String reason() {
        return "Plateau";
    }

    @Override
    public boolean isEvent() {
        return false;
    }

    @Override
    public Optional<Finding> evaluate(List<Tier1Metrics> history, Thresholds t) {
        int w = t.plateauCheckpoints();
        if (history.size() <= w) {
            return Optional.empty();
        }
        Tier1Metrics m = history.get(history.size() - 1);
        Tier1Metrics then = history.get(history.size() - 1 - w);
        if (m.loss().isEmpty() || then.loss().isEmpty()) {
            return Optional.empty();
        }
        double now = m.loss().getAsDouble();
        double before = then.loss().getAsDouble();
        double change = Math.abs(now - before) / Math.abs(before);
        if (!Double.isFinite(change) || change > t.plateauRelativeChange()) {
            return Optional.empty();
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("loss", now);
        values.put("lossBefore", before);
        values.put("relativeChange", change);
        String msg = String.format(Locale.ROOT, "Step %d: loss %.6g changed by %.2g (relative) since step %d, %d "
                + "checkpoints ago. Training has stalled: check the learning-rate schedule (decayed to zero?) or "
                + "stop early.", m.step(), now, change, then.step(), w);
        return Optional.of(new Finding(reason(), Severity.INFO, m.step(), m.step(), values, msg));
    }
}
