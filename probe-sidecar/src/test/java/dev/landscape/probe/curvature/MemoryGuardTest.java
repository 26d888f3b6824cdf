package dev.landscape.probe.curvature;

import dev.landscape.contract.Tier2Memory;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tier 2 refuses a model its process has no room for before the Hessian products, with the need, the room, the
 * subset and the fix in the message, under limits a test injects in place of the cgroup's and the JVM's.
 */
class MemoryGuardTest {

    private static final GptModel.Config GPT = new GptModel.Config(11, 8, 8, 16, 3, 2, 2, 6);
    private static final ParameterSubset FIRST_BLOCK = ParameterSubset.of(List.of("transformer.h.0.*"));
    private static final ParameterSubset LAST_BLOCK = ParameterSubset.of(List.of("transformer.h.2.*", "transformer.ln_f.*"));

    @TempDir
    Path dir;

    @Test
    void anEarlySubsetOneByteShortOfItsNeedIsRefusedBeforeAnyGraphIsBuilt() throws IOException {
        ModelFootprint f = footprint(FIRST_BLOCK);
        Tier2Memory need = f.need(1, Tier2Memory.FLOAT_BYTES);
        Tier2Memory sized = Tier2Memory.of(f.modelParameters(), f.differentiatedParameters(), 1, Tier2Memory.FLOAT_BYTES);
        long heap = need.heapBytes();
        AtomicInteger reads = new AtomicInteger();

        assertThatThrownBy(() -> run(FIRST_BLOCK, () -> {
            reads.incrementAndGet();
            return new MemoryGuard.Limits(heap, OptionalLong.of(heap + need.nativeBytes() - 1));
        })).isInstanceOf(CurvatureException.class)
                .hasMessageStartingWith("tier 2 refused before the Hessian products: the subset [transformer.h.0.*]")
                .hasMessageContaining(String.format(java.util.Locale.ROOT, "(%,d of %,d parameters) leaves %,d parameters "
                        + "in the differentiated graph", f.analysedParameters(), f.modelParameters(),
                        f.differentiatedParameters()))
                .hasMessageContaining(String.format(java.util.Locale.ROOT, "needs %,d MiB native beside the heap",
                        need.nativeBytes() >> 20))
                .hasMessageContaining("under a memory limit of")
                .hasMessageContaining("set spec.metrics.modelParameters: " + f.modelParameters() + " and subsetParameters: "
                        + f.differentiatedParameters() + " (the parameters tier 2 differentiates; the webhook then writes -Xmx"
                        + sized.heapMiB() + "m and a " + sized.limitMiB() + " Mi limit)")
                .hasMessageContaining("a subset later in the model");
        assertThat(reads).hasValue(1);
    }

    @Test
    void theSameSubsetRunsWithExactlyItsNeed() throws IOException {
        Tier2Memory need = footprint(FIRST_BLOCK).need(1, Tier2Memory.FLOAT_BYTES);

        CurvatureReport r = run(FIRST_BLOCK, () -> new MemoryGuard.Limits(need.heapBytes(),
                OptionalLong.of(need.heapBytes() + need.nativeBytes())));

        assertThat(r.eigenvalues()).hasSize(1);
        assertThat(r.differentiatedParameters()).isEqualTo(footprint(FIRST_BLOCK).differentiatedParameters());
    }

    @Test
    void aLateSubsetRunsUnderTheWebhooksSizing() throws IOException {
        ModelFootprint f = footprint(LAST_BLOCK);
        Tier2Memory webhook = Tier2Memory.of(f.modelParameters(), f.analysedParameters(), 1, Tier2Memory.FLOAT_BYTES);

        CurvatureReport r = run(LAST_BLOCK, () -> new MemoryGuard.Limits(webhook.heapBytes(),
                OptionalLong.of(webhook.limitBytes())));

        assertThat(r.eigenvalues()).hasSize(1);
    }

    @Test
    void noContainerLimitMeansNothingToCheck() throws IOException {
        CurvatureReport r = run(FIRST_BLOCK, () -> new MemoryGuard.Limits(1L << 20, OptionalLong.empty()));

        assertThat(r.eigenvalues()).hasSize(1);
    }

    /** The heap the guard reads is -Xmx itself, not maxMemory(), which a generational collector reports a survivor less. */
    @Test
    void thisProcessesHeapIsItsMaxHeapSize() {
        long xmx = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-Xmx")).reduce((a, b) -> b).map(MemoryGuardTest::bytes).orElse(-1L);

        long heap = MemoryGuard.Limits.ofThisProcess().maxHeapBytes();

        assertThat(heap).as("-Xmx of the test JVM (surefire's argLine sets it)").isEqualTo(xmx)
                .isGreaterThanOrEqualTo(Runtime.getRuntime().maxMemory());
    }

    private static long bytes(String xmx) {
        String v = xmx.substring(4).toLowerCase(java.util.Locale.ROOT);
        long unit = v.endsWith("g") ? 1L << 30 : v.endsWith("m") ? 1L << 20 : v.endsWith("k") ? 1L << 10 : 1;
        return Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1)) * unit;
    }

    private static ModelFootprint footprint(ParameterSubset subset) {
        return CurvatureModel.build(GptModel.graph(GPT, false), batch(), WeightBinding.allTrainable(GptModel.weights(GPT, 0.5, 1)),
                LossHead.CROSS_ENTROPY, GptModel.logitsName(), subset).footprint();
    }

    private CurvatureReport run(ParameterSubset subset, java.util.function.Supplier<MemoryGuard.Limits> limits)
            throws IOException {
        Path model = Files.write(dir.resolve("model.onnx"), GptModel.graph(GPT, false).toByteArray());
        Path batch = dir.resolve("batch.safetensors");
        SafetensorsWriter b = new SafetensorsWriter();
        batch().forEach((name, t) -> b.add(name, DType.I64, t.shape(), t.values()));
        b.write(batch);
        Path checkpoint = dir.resolve("model.safetensors");
        SafetensorsWriter w = new SafetensorsWriter();
        GptModel.weights(GPT, 0.5, 1).forEach((name, t) -> w.add(name, DType.F32, t.shape(), t.values()));
        w.write(checkpoint);
        CurvatureOptions o = new CurvatureOptions(LossHead.CROSS_ENTROPY, GptModel.logitsName(), 1, 1e-3, 30, 0, 0,
                false, null, false, null, 21, OptimizerSettings.NONE, subset, false);
        return new CurvatureAnalysis(CheckpointFormats.standard(), limits).run(model, batch, checkpoint, o);
    }

    private static Map<String, HostTensor> batch() {
        long[] ids = {1, 4, 9, 6, 0, 2, 5, 10, 3, 7, 8, 4};
        long[] shape = {GPT.batch(), GPT.seq()};
        return Map.of("input_ids", HostTensor.ofIntegers(shape, TransformerCurvatureTest.doubles(ids)),
                "target", HostTensor.ofIntegers(shape, TransformerCurvatureTest.doubles(
                        TransformerCurvatureTest.shifted(ids, GPT.seq()))));
    }
}
