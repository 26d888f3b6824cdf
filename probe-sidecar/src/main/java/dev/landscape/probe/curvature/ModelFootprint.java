package dev.landscape.probe.curvature;

import dev.landscape.contract.Tier2Memory;

/**
 * What tier 2 will hold for a model and subset, known once the graph is split and before anything is translated: the
 * parameter counts {@link Tier2Memory} sizes memory by. The differentiated count depends on where the subset sits in
 * the graph (the last blocks: the subset alone; the first block: nearly every weight), which only the split knows.
 *
 * @param modelParameters          N, every trainable parameter
 * @param analysedParameters       n, those curvature is measured over
 * @param differentiatedParameters D, the trainable parameters the differentiated graph reads (n and the frozen
 *                                 weights a gradient passes through)
 */
public record ModelFootprint(long modelParameters, long analysedParameters, long differentiatedParameters) {

    /** The memory this footprint needs for the top {@code topK} with a basis of {@code bytesPerValue} per value. */
    public Tier2Memory need(int topK, int bytesPerValue) {
        return Tier2Memory.of(modelParameters, analysedParameters, differentiatedParameters, topK, bytesPerValue);
    }

    /** The frozen parameters the differentiated graph reads: D - n. */
    public long frozenDifferentiated() {
        return differentiatedParameters - analysedParameters;
    }
}
