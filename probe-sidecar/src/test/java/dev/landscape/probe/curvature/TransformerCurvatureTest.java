package dev.landscape.probe.curvature;

import dev.landscape.probe.curvature.linalg.SymmetricEigen;
import dev.landscape.probe.curvature.linalg.Vectors;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * GPT- and BERT-style models end to end on the production path (ONNX file, batch and float32 checkpoint files with
 * Hugging Face names, {@link CurvatureAnalysis}), against an independent plain-Java implementation of each model:
 * the loss must agree, and the top Hessian eigenvalues must match those of the reference's full Hessian
 * (second differences of its loss, eigen-decomposed by Jacobi).
 */
class TransformerCurvatureTest {

    private static final GptModel.Config GPT = new GptModel.Config(7, 4, 4, 8, 1, 2, 2, 4);

    @Test
    void gptTopEigenvaluesMatchTheIndependentHessian(@TempDir Path dir) throws IOException {
        Map<String, HostTensor> w = GptModel.weights(GPT, 0.5, 1);
        Random rng = new Random(5);
        long[] ids = new long[GPT.batch() * GPT.seq()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(GPT.vocab());
        }
        long[] labels = ids.clone();
        labels[labels.length - 1] = -100;
        Path model = Files.write(dir.resolve("model.onnx"), GptModel.graph(GPT, false).toByteArray());
        Path batch = dir.resolve("batch.safetensors");
        new SafetensorsWriter().add("input_ids", DType.I64, new long[] {GPT.batch(), GPT.seq()}, doubles(ids))
                .add("target", DType.I64, new long[] {GPT.batch(), GPT.seq()}, doubles(shifted(labels, GPT.seq())))
                .write(batch);
        Path checkpoint = checkpoint(dir, w, Map.of("lm_head.weight", "transformer.wte.weight"));
        CurvatureOptions o = new CurvatureOptions(LossHead.CROSS_ENTROPY, GptModel.logitsName(), 3, 1e-7, 100, 0, 0,
                false, null, false, null, 21, OptimizerSettings.NONE);

        CurvatureReport r = new CurvatureAnalysis(CheckpointFormats.standard()).run(model, batch, checkpoint, o);

        Map<String, Integer> offsets = offsets(GPT.parameters());
        double[] flat = flatten(w);
        GptReference ref = new GptReference(GPT, offsets, ids, labels);
        assertThat(r.parameters()).isEqualTo(flat.length);
        assertThat(r.loss()).isCloseTo(ref.loss(flat), within(1e-10));
        assertTopEigenvalues(r.eigenvalues(), MlpHessianTest.hessianBySecondDifferences(ref::loss, flat, 1e-4));
    }

    /** Hugging Face's in-graph loss (shift, flatten, ignore_index) and the head on the logits are one function. */
    @Test
    void gptLossInTheGraphEqualsTheCrossEntropyHeadOnShiftedTargets() {
        Map<String, HostTensor> w = GptModel.weights(GPT, 0.5, 3);
        long[] ids = {1, 4, 4, 6, 0, 2, 5, 5};
        long[] labels = {1, 4, 4, -100, 0, 2, 5, -100};
        long[] shape = {GPT.batch(), GPT.seq()};
        HostTensor input = HostTensor.ofIntegers(shape, doubles(ids));
        CurvatureModel head = CurvatureModel.build(GptModel.graph(GPT, false), Map.of("input_ids", input,
                "target", HostTensor.ofIntegers(shape, doubles(shifted(labels, GPT.seq())))),
                WeightBinding.allTrainable(w), LossHead.CROSS_ENTROPY, GptModel.logitsName());
        CurvatureModel graph = CurvatureModel.build(GptModel.graph(GPT, true), Map.of("input_ids", input,
                "labels", HostTensor.ofIntegers(shape, doubles(labels))), WeightBinding.allTrainable(w), LossHead.GRAPH,
                GptModel.lossName());
        double[] g1 = new double[head.point().length];
        double[] g2 = new double[g1.length];

        double l1 = head.loss().lossAndGradient(head.point(), g1);
        double l2 = graph.loss().lossAndGradient(graph.point(), g2);

        assertThat(l2).isCloseTo(l1, within(1e-13));
        double norm = Vectors.norm(g1);
        Vectors.axpy(-1, g1, g2);
        assertThat(Vectors.norm(g2) / norm).isLessThan(1e-12);
        assertThat(l1).isCloseTo(new GptReference(GPT, offsets(GPT.parameters()), ids, labels).loss(flatten(w)),
                within(1e-10));
    }

    @Test
    void bertTopEigenvaluesMatchTheIndependentHessian(@TempDir Path dir) throws IOException {
        BertModel.Config c = new BertModel.Config(7, 4, 2, 4, 8, 1, 2, 2, 4);
        Map<String, HostTensor> w = BertModel.weights(c, 0.5, 2);
        long[] ids = {5, 2, 6, 3, 1, 4, 2, 0};
        long[] mask = {1, 1, 1, 1, 1, 1, 1, 0};
        long[] labels = {-100, 3, -100, 3, 6, -100, 5, -100};
        Path model = Files.write(dir.resolve("model.onnx"), BertModel.graph(c).toByteArray());
        long[] shape = {c.batch(), c.seq()};
        Path batch = dir.resolve("batch.safetensors");
        new SafetensorsWriter().add("input_ids", DType.I64, shape, doubles(ids))
                .add("attention_mask", DType.I64, shape, doubles(mask))
                .add("labels", DType.I64, shape, doubles(labels)).write(batch);
        Path checkpoint = checkpoint(dir, w, Map.of("cls.predictions.decoder.weight",
                "bert.embeddings.word_embeddings.weight", "cls.predictions.decoder.bias", "cls.predictions.bias"));
        CurvatureOptions o = new CurvatureOptions(LossHead.GRAPH, BertModel.lossName(), 3, 1e-7, 100, 0, 0,
                false, null, false, null, 21, OptimizerSettings.NONE);

        CurvatureReport r = new CurvatureAnalysis(CheckpointFormats.standard()).run(model, batch, checkpoint, o);

        double[] flat = flatten(w);
        BertReference ref = new BertReference(c, offsets(c.parameters()), ids, mask, labels);
        assertThat(r.parameters()).isEqualTo(flat.length);
        assertThat(r.loss()).isCloseTo(ref.loss(flat), within(1e-10));
        assertTopEigenvalues(r.eigenvalues(), MlpHessianTest.hessianBySecondDifferences(ref::loss, flat, 1e-4));
    }

    @Test
    void theGpt2SmallConfigurationHasGpt2sParameterCount() {
        assertThat(GptModel.Config.gpt2Small(1, 16).parameterCount()).isEqualTo(124_439_808L);
    }

    private static void assertTopEigenvalues(double[] got, double[][] hessian) {
        double[] exact = SymmetricEigen.jacobi(hessian).values();
        assertThat(got).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(Math.abs(got[i] - exact[i]) / Math.abs(exact[0])).as("eigenvalue " + i + ": " + got[i]
                    + " vs " + exact[i]).isLessThan(1e-5);
        }
    }

    /** Labels as the model sees them after Hugging Face's shift: position t is scored against label t + 1. */
    static long[] shifted(long[] labels, int seq) {
        long[] t = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
            t[i] = (i + 1) % seq == 0 ? -100 : labels[i + 1];
        }
        return t;
    }

    /** A float32 checkpoint with the model's tensors, plus aliases (tied weights a state_dict lists twice). */
    private static Path checkpoint(Path dir, Map<String, HostTensor> w, Map<String, String> aliases) throws IOException {
        SafetensorsWriter out = new SafetensorsWriter();
        w.forEach((n, t) -> out.add(n, DType.F32, t.shape(), t.values()));
        aliases.forEach((alias, of) -> out.add(alias, DType.F32, w.get(of).shape(), w.get(of).values()));
        Path p = dir.resolve("model.safetensors");
        out.write(p);
        return p;
    }

    static Map<String, Integer> offsets(Map<String, long[]> shapes) {
        Map<String, Integer> out = new LinkedHashMap<>();
        int off = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            out.put(e.getKey(), off);
            off += (int) HostTensor.numel(e.getValue());
        }
        return out;
    }

    static double[] flatten(Map<String, HostTensor> w) {
        return w.values().stream().flatMapToDouble(t -> java.util.Arrays.stream(t.values())).toArray();
    }

    static double[] doubles(long[] v) {
        return java.util.Arrays.stream(v).asDoubleStream().toArray();
    }
}
