package dev.landscape.probe.metrics;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tier 2's loss on the probe's eval batch at one checkpoint: the mean, the mean of each class, and the 95th
 * percentile per example. Kept beside tier 1's figures so that one finding rule (ClassLossDrift) can read a class's
 * loss against the mean over the checkpoints.
 *
 * @param mean    mean loss over the batch
 * @param classes mean loss of each class present, by class index (empty for a loss without classes)
 * @param p95     95th percentile of the per-example loss, NaN when unknown
 */
public record EvalLoss(double mean, Map<Integer, Double> classes, double p95) {

    public EvalLoss {
        classes = Collections.unmodifiableMap(new TreeMap<>(classes));
    }
}
