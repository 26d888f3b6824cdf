package dev.landscape.probe.curvature;

import dev.landscape.probe.curvature.linalg.FiniteDifferenceHvp;
import dev.landscape.probe.curvature.linalg.Lanczos;
import dev.landscape.probe.curvature.linalg.Vectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * With a parameter subset, the part of the graph that depends on no analysed parameter is evaluated once and bound as
 * constants ({@link dev.landscape.probe.curvature.onnx.GraphSplit}): the loss, gradient, Hessian-vector product and
 * top eigenvalue must be those of the whole graph translated as it is, to round-off.
 */
class FrozenPartFoldingTest {

    private static final GptModel.Config GPT = new GptModel.Config(11, 8, 8, 16, 3, 2, 2, 6);

    @ParameterizedTest
    @ValueSource(strings = {"transformer.h.2.*,transformer.ln_f.*", "transformer.h.1.mlp.*", "transformer.wte.weight"})
    void aFoldedSubsetModelComputesWhatTheWholeGraphDoes(String globs) {
        ParameterSubset subset = ParameterSubset.of(List.of(globs.split(",")));
        CurvatureModel folded = model(subset, true);
        CurvatureModel whole = model(subset, false);
        double[] v = new double[whole.layout().dimension()];
        Random rng = new Random(3);
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextGaussian();
        }

        double[] gFolded = new double[v.length];
        double[] gWhole = new double[v.length];
        double lFolded = folded.loss().lossAndGradient(folded.point(), gFolded);
        double lWhole = whole.loss().lossAndGradient(whole.point(), gWhole);
        double[] hvFolded = new double[v.length];
        double[] hvWhole = new double[v.length];
        new FiniteDifferenceHvp(folded.loss(), folded.point()).apply(v, hvFolded);
        new FiniteDifferenceHvp(whole.loss(), whole.point()).apply(v, hvWhole);
        double topFolded = Lanczos.topEigenvalues(new FiniteDifferenceHvp(folded.loss(), folded.point()), 1, 1e-5, 30, 7)
                .eigenvalues()[0];
        double topWhole = Lanczos.topEigenvalues(new FiniteDifferenceHvp(whole.loss(), whole.point()), 1, 1e-5, 30, 7)
                .eigenvalues()[0];

        assertThat(folded.layout().slots()).usingRecursiveFieldByFieldElementComparator().isEqualTo(whole.layout().slots());
        assertThat(folded.allParameters().dimension()).isEqualTo(whole.allParameters().dimension());
        assertThat(folded.pointView()).isEqualTo(whole.pointView());
        assertThat(lFolded).isCloseTo(lWhole, within(1e-13 * Math.abs(lWhole)));
        assertThat(relativeDifference(gFolded, gWhole)).isLessThan(1e-12);
        assertThat(relativeDifference(hvFolded, hvWhole)).isLessThan(1e-8);
        assertThat(topFolded).isCloseTo(topWhole, within(1e-8 * Math.abs(topWhole)));
    }

    /** The folded graph holds neither the frozen blocks' weights nor their ops, so a pass skips them. */
    @org.junit.jupiter.api.Test
    void theFoldedGraphLeavesTheFrozenBlocksOut() {
        ParameterSubset lastBlock = ParameterSubset.of(List.of("transformer.h.2.*", "transformer.ln_f.*"));

        CurvatureModel folded = model(lastBlock, true);
        CurvatureModel whole = model(lastBlock, false);

        assertThat(folded.graph().variables().keySet()).noneMatch(n -> n.startsWith("transformer.h.0.")
                || n.startsWith("transformer.h.1.") || n.equals("transformer.wpe.weight"));
        assertThat(folded.graph().sameDiff().ops().length).isLessThan(whole.graph().sameDiff().ops().length / 2);
        assertThat(folded.at(WeightBinding.allTrainable(GptModel.weights(GPT, 0.5, 2)))).isEmpty();
    }

    /**
     * The memory need follows what is differentiated: the last block's gradient reads its own weights only (the head's
     * transposed embedding is folded), the first block's runs back through every later block, whose weights the
     * webhook's sizing from N and n alone does not count.
     */
    @org.junit.jupiter.api.Test
    void theDifferentiatedCountFollowsWhereTheSubsetSits() {
        Map<String, HostTensor> w = GptModel.weights(GPT, 0.5, 1);
        long all = count(w, name -> true);
        long blocksAndFinalNorm = count(w, name -> name.startsWith("transformer.h.") || name.startsWith("transformer.ln_f."));
        long lastBlock = count(w, name -> name.startsWith("transformer.h.2.") || name.startsWith("transformer.ln_f."));
        long firstBlock = count(w, name -> name.startsWith("transformer.h.0."));

        ModelFootprint late = model(ParameterSubset.of(List.of("transformer.h.2.*", "transformer.ln_f.*")), true).footprint();
        ModelFootprint early = model(ParameterSubset.of(List.of("transformer.h.0.*")), true).footprint();
        ModelFootprint unfolded = model(ParameterSubset.of(List.of("transformer.h.2.*")), false).footprint();

        assertThat(late).isEqualTo(new ModelFootprint(all, lastBlock, lastBlock));
        assertThat(early).isEqualTo(new ModelFootprint(all, firstBlock, blocksAndFinalNorm));
        assertThat(unfolded.differentiatedParameters()).isEqualTo(all);
        assertThat(late.need(1, 4)).isEqualTo(dev.landscape.contract.Tier2Memory.of(all, lastBlock, 1, 4));
        assertThat(early.need(1, 4)).isEqualTo(dev.landscape.contract.Tier2Memory.of(all, firstBlock, blocksAndFinalNorm, 1, 4));
    }

    private static long count(Map<String, HostTensor> weights, java.util.function.Predicate<String> names) {
        return weights.entrySet().stream().filter(e -> names.test(e.getKey()))
                .mapToLong(e -> HostTensor.numel(e.getValue().shape())).sum();
    }

    private static CurvatureModel model(ParameterSubset subset, boolean fold) {
        long[] ids = {1, 4, 9, 6, 0, 2, 5, 10, 3, 7, 8, 4};
        long[] shape = {GPT.batch(), GPT.seq()};
        long[] target = TransformerCurvatureTest.shifted(ids, GPT.seq());
        return CurvatureModel.build(GptModel.graph(GPT, false), Map.of(
                "input_ids", HostTensor.ofIntegers(shape, TransformerCurvatureTest.doubles(ids)),
                "target", HostTensor.ofIntegers(shape, TransformerCurvatureTest.doubles(target))),
                WeightBinding.allTrainable(GptModel.weights(GPT, 0.5, 1)), LossHead.CROSS_ENTROPY,
                GptModel.logitsName(), subset, fold, MemoryGuard.NONE);
    }

    private static double relativeDifference(double[] a, double[] b) {
        double[] d = a.clone();
        Vectors.axpy(-1, b, d);
        return Vectors.norm(d) / Vectors.norm(b);
    }
}
