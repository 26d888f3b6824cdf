package dev.landscape.probe.checkpoint;

import dev.landscape.probe.checkpoint.pickle.PickleWriter;
import dev.landscape.probe.checkpoint.pickle.PickleWriter.Call;
import dev.landscape.probe.checkpoint.pickle.PickleWriter.Global;
import dev.landscape.probe.checkpoint.pickle.PickleWriter.Obj;
import dev.landscape.probe.checkpoint.pickle.PickleWriter.Tuple;
import dev.landscape.probe.checkpoint.TorchSaveWriter.TensorSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.landscape.probe.checkpoint.ExpectedTensorAssertions.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * HF Trainer, Lightning, DeepSpeed and torch.distributed.checkpoint layouts. No public real files with a licence
 * exist for these (see PROVENANCE.md), so each test builds its folder here from the documented layout (the
 * libraries' save code: Trainer's {@code _save_optimizer_and_scheduler}, Lightning's {@code dump_checkpoint},
 * DeepSpeed's {@code _save_checkpoint}/{@code _save_zero_checkpoint}, DCP's {@code FileSystemWriter}), with the
 * project's own {@link TorchSaveWriter} and {@link PickleWriter}. They check our reading of that layout, not
 * compatibility with any particular library version.
 */
class FolderFormatsTest {

    @TempDir
    Path dir;

    private final CheckpointFormats formats = CheckpointFormats.standard();

    @Test
    void hfTrainerFolderMapsAdamMomentsToParametersThroughTheTrainersTwoGroups() throws IOException {
        Path cp = Files.createDirectory(dir.resolve("checkpoint-500"));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("fc1.weight", TensorSpec.f32(new long[] {2, 3}, 1, 2, 3, 4, 5, 6));
        model.put("fc1.bias", TensorSpec.f32(new long[] {2}, 1, 1));
        model.put("ln.weight", TensorSpec.f32(new long[] {2}, 1, 1));
        model.put("fc2.weight", TensorSpec.f32(new long[] {1, 2}, 3, 4));
        TorchSaveWriter.save(model, cp.resolve("pytorch_model.bin"));
        // Trainer groups: decay (fc1.weight, fc2.weight) = ids 0, 1; no decay (fc1.bias, ln.weight) = ids 2, 3.
        Map<Object, Object> state = new LinkedHashMap<>();
        long[][] shapes = {{2, 3}, {1, 2}, {2}, {2}};
        for (int id = 0; id < 4; id++) {
            Map<String, Object> slots = new LinkedHashMap<>();
            slots.put("step", TensorSpec.scalar(500));
            slots.put("exp_avg", TensorSpec.f32(shapes[id], ones(shapes[id])));
            slots.put("exp_avg_sq", TensorSpec.f32(shapes[id], ones(shapes[id])));
            state.put(id, slots);
        }
        Map<String, Object> optimizer = new LinkedHashMap<>();
        optimizer.put("state", state);
        optimizer.put("param_groups", List.of(adamGroup(0.01, List.of(0, 1)), adamGroup(0.0, List.of(2, 3))));
        TorchSaveWriter.save(optimizer, cp.resolve("optimizer.pt"));
        Files.writeString(cp.resolve("trainer_state.json"), """
                {"global_step": 500, "log_history": [
                  {"loss": 2.5, "grad_norm": 1.25, "learning_rate": 0.001, "epoch": 0.5, "step": 250},
                  {"eval_loss": 2.0, "step": 250},
                  {"loss": 1.5, "grad_norm": 0.75, "learning_rate": 0.0009, "epoch": 1.0, "step": 500}]}""");

        try (Checkpoint c = formats.open(cp)) {
            assertThat(c.format()).isEqualTo("hf-trainer");
            assertThat(c.step()).hasValue(500);
            assertThat(c.log().entries()).extracting(TrainingLog.Entry::step).containsExactly(250L, 500L);
            assertThat(c.log().latestLoss()).hasValue(1.5);
            assertThat(c.log().latestGradNorm()).hasValue(0.75);
            assertThat(info(c, "optimizer.state.1.exp_avg")).satisfies(i -> {
                assertThat(i.group()).isEqualTo("optimizer.exp_avg");
                assertThat(i.parameter()).isEqualTo("fc2.weight");
            });
            assertThat(info(c, "optimizer.state.3.exp_avg_sq").parameter()).isEqualTo("ln.weight");
            assertThat(info(c, "optimizer.state.2.step").group()).isEqualTo("optimizer.step");
            assertThat(info(c, "fc1.weight").group()).isEqualTo("model");
            assertThat(c.optimizer().type()).isEqualTo("adam");
            assertThat(c.optimizer().learningRate()).hasValue(0.001);
            assertThat(c.optimizer().beta2()).hasValue(0.999);
            assertThat(c.optimizer().stepCount()).hasValue(500);
        }
    }

    @Test
    void hfTrainerWithSafetensorsModelLeavesMomentsUnmappedBecauseItsOrderIsSorted() throws IOException {
        Path cp = Files.createDirectory(dir.resolve("checkpoint-7"));
        new SafetensorsWriter().add("b.weight", DType.F32, new long[] {2}, new double[] {1, 2})
                .add("a.weight", DType.F32, new long[] {2}, new double[] {3, 4}).write(cp.resolve("model.safetensors"));
        Map<String, Object> optimizer = new LinkedHashMap<>();
        optimizer.put("state", Map.of(0, Map.of("exp_avg", TensorSpec.f32(new long[] {2}, 1, 1))));
        optimizer.put("param_groups", List.of(adamGroup(0.0, List.of(0, 1))));
        TorchSaveWriter.save(optimizer, cp.resolve("optimizer.pt"));

        try (Checkpoint c = formats.open(cp)) {
            assertThat(c.format()).isEqualTo("hf-trainer");
            assertThat(c.step()).hasValue(7);
            assertThat(info(c, "optimizer.state.0.exp_avg").parameter()).isEmpty();
            assertThat(values(tensor(c, "a.weight"))).containsExactly(3, 4);
        }
    }

    @Test
    void hfTrainerWithSafetensorsModelMapsMomentsThroughTheOptimizersParamNames() throws IOException {
        Path cp = Files.createDirectory(dir.resolve("checkpoint-9"));
        writeSortedModel(cp);
        Map<String, Object> group = adamGroup(0.0, List.of(0, 1, 2));
        group.put("param_names", List.of("fc1.weight", "fc1.bias", "fc2.weight"));
        TorchSaveWriter.save(adamState(group, new long[][] {{2, 3}, {2}, {1, 2}}), cp.resolve("optimizer.pt"));

        try (Checkpoint c = formats.open(cp)) {
            assertThat(info(c, "optimizer.state.0.exp_avg").parameter()).isEqualTo("fc1.weight");
            assertThat(info(c, "optimizer.state.1.exp_avg_sq").parameter()).isEqualTo("fc1.bias");
            assertThat(info(c, "optimizer.state.2.exp_avg").parameter()).isEqualTo("fc2.weight");
        }
    }

    @Test
    void paramNamesThatDisagreeWithTheMomentsShapesLeaveMomentsUnmapped() throws IOException {
        Path cp = Files.createDirectory(dir.resolve("checkpoint-9"));
        writeSortedModel(cp);
        Map<String, Object> group = adamGroup(0.0, List.of(0, 1, 2));
        group.put("param_names", List.of("fc1.bias", "fc1.weight", "fc2.weight"));
        TorchSaveWriter.save(adamState(group, new long[][] {{2, 3}, {2}, {1, 2}}), cp.resolve("optimizer.pt"));

        try (Checkpoint c = formats.open(cp)) {
            assertThat(info(c, "optimizer.state.0.exp_avg").parameter()).isEmpty();
            assertThat(info(c, "optimizer.state.2.exp_avg").parameter()).isEmpty();
        }
    }

    @Test
    void paramNamesThatNameNoModelTensorLeaveMomentsUnmapped() throws IOException {
        Path cp = Files.createDirectory(dir.resolve("checkpoint-9"));
        writeSortedModel(cp);
        Map<String, Object> group = adamGroup(0.0, List.of(0, 1, 2));
        group.put("param_names", List.of("fc1.weight", "fc1.bias", "head.weight"));
        TorchSaveWriter.save(adamState(group, new long[][] {{2, 3}, {2}, {1, 2}}), cp.resolve("optimizer.pt"));

        try (Checkpoint c = formats.open(cp)) {
            assertThat(info(c, "optimizer.state.0.exp_avg").parameter()).isEmpty();
        }
    }

    @Test
    void hfTrainerShardedBinIndexYieldsEveryShard() throws IOException {
        Path cp = Files.createDirectory(dir.resolve("checkpoint-3"));
        TorchSaveWriter.save(Map.of("a.weight", TensorSpec.f32(new long[] {1}, 1)), cp.resolve("pytorch_model-00001-of-00002.bin"));
        TorchSaveWriter.save(Map.of("b.weight", TensorSpec.f32(new long[] {1}, 2)), cp.resolve("pytorch_model-00002-of-00002.bin"));
        Files.writeString(cp.resolve("pytorch_model.bin.index.json"), "{\"metadata\": {\"total_size\": 8}, \"weight_map\": {"
                + "\"a.weight\": \"pytorch_model-00001-of-00002.bin\", \"b.weight\": \"pytorch_model-00002-of-00002.bin\"}}");

        try (Checkpoint c = formats.open(cp)) {
            assertThat(c.format()).isEqualTo("hf-trainer");
            assertThat(c.tensors()).extracting(t -> t.info().name()).containsExactly("a.weight", "b.weight");
        }
    }

    @Test
    void deepSpeedWithoutZeroMapsItsOptimizerToModuleParameters() throws IOException {
        Path tag = Files.createDirectory(dir.resolve("global_step9"));
        Map<String, Object> module = new LinkedHashMap<>();
        module.put("fc.weight", TensorSpec.f32(new long[] {2, 2}, 1, 2, 3, 4));
        module.put("fc.bias", TensorSpec.f32(new long[] {2}, 5, 6));
        Map<Object, Object> state = new LinkedHashMap<>();
        state.put(0, Map.of("momentum_buffer", TensorSpec.f32(new long[] {2, 2}, 0, 0, 0, 0)));
        state.put(1, Map.of("momentum_buffer", TensorSpec.f32(new long[] {2}, 0, 0)));
        Map<String, Object> group = new LinkedHashMap<>(Map.of("lr", 0.1, "momentum", 0.9, "dampening", 0.0, "nesterov", false));
        group.put("params", List.of(0, 1));
        Map<String, Object> modelStates = new LinkedHashMap<>();
        modelStates.put("module", module);
        modelStates.put("optimizer", Map.of("state", state, "param_groups", List.of(group)));
        TorchSaveWriter.save(modelStates, tag.resolve("mp_rank_00_model_states.pt"));

        try (Checkpoint c = formats.open(tag)) {
            assertThat(c.step()).hasValue(9);
            assertThat(info(c, "optimizer.state.1.momentum_buffer").parameter()).isEqualTo("module.fc.bias");
            assertThat(c.optimizer().type()).isEqualTo("sgd-momentum");
        }
    }

    @Test
    void hfTrainerWithDeepSpeedReadsOptimizerStateFromTheTagFolder() throws IOException {
        Path cp = Files.createDirectory(dir.resolve("checkpoint-5"));
        new SafetensorsWriter().add("w", DType.F32, new long[] {2}, new double[] {1, 2}).write(cp.resolve("model.safetensors"));
        Files.writeString(cp.resolve("latest"), "global_step5");
        Path tag = Files.createDirectory(cp.resolve("global_step5"));
        TorchSaveWriter.save(Map.of("module", Map.of("w", TensorSpec.f32(new long[] {2}, 1, 2)), "global_steps", 5),
                tag.resolve("mp_rank_00_model_states.pt"));
        Map<String, Object> base = new LinkedHashMap<>();
        base.put("state", Map.of(0, Map.of("exp_avg", TensorSpec.f32(new long[] {2}, 3, 4))));
        base.put("param_groups", List.of(adamGroup(0.0, List.of(0))));
        TorchSaveWriter.save(Map.of("optimizer_state_dict", Map.of("base_optimizer_state", base)),
                tag.resolve("zero_pp_rank_0_mp_rank_00_optim_states.pt"));

        try (Checkpoint c = formats.open(cp)) {
            assertThat(c.format()).isEqualTo("hf-trainer");
            assertThat(c.tensors()).extracting(t -> t.info().name())
                    .containsExactly("w", "optimizer_state_dict.base_optimizer_state.state.0.exp_avg");
            assertThat(c.optimizer().learningRate()).hasValue(0.001);
        }
    }

    @Test
    void lightningCheckpointKeepsCallbackKeysInertAndMapsOptimizerStates() throws IOException {
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("layer.weight", TensorSpec.f32(new long[] {2, 2}, 1, 2, 3, 4));
        sd.put("layer.bias", TensorSpec.f32(new long[] {2}, 5, 6));
        Map<Object, Object> state = new LinkedHashMap<>();
        state.put(0, Map.of("step", 120, "exp_avg", TensorSpec.f32(new long[] {2, 2}, 0, 0, 0, 1)));
        state.put(1, Map.of("step", 120, "exp_avg", TensorSpec.f32(new long[] {2}, 0, 1)));
        Map<String, Object> opt = new LinkedHashMap<>();
        opt.put("state", state);
        opt.put("param_groups", List.of(adamGroup(0.0, List.of(0, 1))));
        Map<Object, Object> callbacks = new LinkedHashMap<>();
        callbacks.put(new Global("pytorch_lightning.callbacks.model_checkpoint", "ModelCheckpoint"),
                Map.of("best_model_score", TensorSpec.scalar(0.25), "monitor", "val_loss"));
        Map<String, Object> ckpt = new LinkedHashMap<>();
        ckpt.put("epoch", 3);
        ckpt.put("global_step", 120);
        ckpt.put("pytorch-lightning_version", "1.3.8");
        ckpt.put("state_dict", sd);
        ckpt.put("optimizer_states", List.of(opt));
        ckpt.put("lr_schedulers", List.of());
        ckpt.put("callbacks", callbacks);
        Path file = dir.resolve("epoch=3-step=120.ckpt");
        TorchSaveWriter.save(ckpt, file);

        try (Checkpoint c = formats.open(file)) {
            assertThat(c.format()).isEqualTo("lightning");
            assertThat(c.step()).hasValue(120);
            assertThat(info(c, "state_dict.layer.weight").group()).isEqualTo("model");
            assertThat(info(c, "optimizer_states.0.state.0.exp_avg").parameter()).isEqualTo("state_dict.layer.weight");
            assertThat(info(c, "optimizer_states.0.state.1.exp_avg").parameter()).isEqualTo("state_dict.layer.bias");
            assertThat(info(c, "callbacks.pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint.best_model_score").group()).isEqualTo("other");
            assertThat(c.optimizer().stepCount()).hasValue(120);
        }
    }

    @Test
    void deepSpeedParentFolderFollowsLatestTag() throws IOException {
        Path tag = Files.createDirectories(dir.resolve("run").resolve("global_step20"));
        Files.writeString(dir.resolve("run").resolve("latest"), "global_step20\n");
        Map<String, Object> module = new LinkedHashMap<>();
        module.put("fc.weight", TensorSpec.f32(new long[] {2, 3}, 1, 2, 3, 4, 5, 6));
        module.put("fc.bias", TensorSpec.f32(new long[] {2}, 7, 8));
        Map<String, Object> modelStates = new LinkedHashMap<>();
        modelStates.put("module", module);
        modelStates.put("optimizer", null);
        modelStates.put("global_steps", 20);
        modelStates.put("dp_world_size", 1);
        TorchSaveWriter.save(modelStates, tag.resolve("mp_rank_00_model_states.pt"));
        Map<String, Object> base = new LinkedHashMap<>();
        base.put("state", Map.of(0, Map.of("exp_avg", TensorSpec.f32(new long[] {8}, ones(new long[] {8})),
                "exp_avg_sq", TensorSpec.f32(new long[] {8}, ones(new long[] {8})), "step", 20)));
        base.put("param_groups", List.of(adamGroup(0.0, List.of(0))));
        Map<String, Object> osd = new LinkedHashMap<>();
        osd.put("zero_stage", 2);
        osd.put("base_optimizer_state", base);
        osd.put("single_partition_of_fp32_groups", List.of(TensorSpec.f32(new long[] {8}, ones(new long[] {8}))));
        TorchSaveWriter.save(Map.of("optimizer_state_dict", osd), tag.resolve("zero_pp_rank_0_mp_rank_00_optim_states.pt"));

        try (Checkpoint c = formats.open(dir.resolve("run"))) {
            assertThat(c.format()).isEqualTo("deepspeed");
            assertThat(c.step()).hasValue(20);
            assertThat(info(c, "module.fc.weight").group()).isEqualTo("model");
            assertThat(info(c, "optimizer_state_dict.base_optimizer_state.state.0.exp_avg")).satisfies(i -> {
                assertThat(i.group()).isEqualTo("optimizer.exp_avg");
                assertThat(i.parameter()).isEmpty();
            });
            assertThat(info(c, "optimizer_state_dict.single_partition_of_fp32_groups.0").group()).isEqualTo("other");
            assertThat(c.optimizer().type()).isEqualTo("adam");
            assertThat(c.optimizer().stepCount()).hasValue(20);
        }
    }

    @Test
    void dcpReassemblesRowAndColumnChunksInLogicalOrder() throws IOException {
        Path cp = Files.createDirectory(dir.resolve("dcp"));
        ByteArrayOutputStream distcp = new ByteArrayOutputStream();
        Map<Object, Object> storage = new LinkedHashMap<>();
        // model.w [4, 3] = 0..11 split by rows; optim.state.model.w.exp_avg [4, 3] = 0..11 split by columns.
        List<Object> rowChunks = List.of(
                chunk(cp, distcp, storage, "model.w", new long[] {0, 0}, new long[] {2, 3}, 0, 1, 2, 3, 4, 5),
                chunk(cp, distcp, storage, "model.w", new long[] {2, 0}, new long[] {2, 3}, 6, 7, 8, 9, 10, 11));
        List<Object> colChunks = List.of(
                chunk(cp, distcp, storage, "optim.state.model.w.exp_avg", new long[] {0, 0}, new long[] {4, 1}, 0, 3, 6, 9),
                chunk(cp, distcp, storage, "optim.state.model.w.exp_avg", new long[] {0, 1}, new long[] {4, 2},
                        1, 2, 4, 5, 7, 8, 10, 11));
        Files.write(cp.resolve("__0_0.distcp"), distcp.toByteArray());
        Map<String, Object> sdm = new LinkedHashMap<>();
        sdm.put("model.w", tensorMeta(new long[] {4, 3}, rowChunks));
        sdm.put("optim.state.model.w.exp_avg", tensorMeta(new long[] {4, 3}, colChunks));
        sdm.put("optim.param_groups.0.lr", new Obj(dcp("BytesStorageMetadata"), Map.of()));
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("state_dict_metadata", sdm);
        meta.put("planner_data", null);
        meta.put("storage_data", storage);
        Files.write(cp.resolve(".metadata"), PickleWriter.pickle(new Obj(dcp("Metadata"), meta)));

        try (Checkpoint c = formats.open(cp)) {
            assertThat(c.format()).isEqualTo("dcp");
            assertThat(c.tensors()).hasSize(2);
            double[] expected = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
            assertThat(values(tensor(c, "model.w"))).containsExactly(expected);
            Tensor m = tensor(c, "optim.state.model.w.exp_avg");
            assertThat(values(m)).containsExactly(expected);
            assertThat(m.info().group()).isEqualTo("optimizer.exp_avg");
            assertThat(m.info().parameter()).isEqualTo("model.w");
        }
    }

    @Test
    void dcpChunkPastTheEndOfItsFileIsAClearError() throws IOException {
        Path cp = Files.createDirectory(dir.resolve("dcp"));
        ByteArrayOutputStream distcp = new ByteArrayOutputStream();
        Map<Object, Object> storage = new LinkedHashMap<>();
        List<Object> chunks = List.of(chunk(cp, distcp, storage, "w", new long[] {0}, new long[] {3}, 1, 2, 3));
        byte[] all = distcp.toByteArray();
        Files.write(cp.resolve("__0_0.distcp"), java.util.Arrays.copyOf(all, all.length - 10));
        Files.write(cp.resolve(".metadata"), PickleWriter.pickle(new Obj(dcp("Metadata"),
                Map.of("state_dict_metadata", Map.of("w", tensorMeta(new long[] {3}, chunks)), "storage_data", storage))));

        assertThatThrownBy(() -> formats.open(cp)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tensor w").hasMessageContaining("runs past the end");
    }

    private static Obj chunk(Path cp, ByteArrayOutputStream distcp, Map<Object, Object> storage, String fqn,
                             long[] offsets, long[] sizes, double... values) throws IOException {
        byte[] archive = TorchSaveWriter.bytes(new TensorSpec("FloatStorage", DType.F32, sizes, values), "archive");
        long at = distcp.size();
        distcp.write(archive);
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("fqn", fqn);
        index.put("offset", size(offsets));
        index.put("index", 0);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("relative_path", "__0_0.distcp");
        info.put("offset", at);
        info.put("length", (long) archive.length);
        storage.put(new Obj(dcp("MetadataIndex"), index), new Obj(dcpFs("_StorageInfo"), info));
        Map<String, Object> chunk = new LinkedHashMap<>();
        chunk.put("offsets", size(offsets));
        chunk.put("sizes", size(sizes));
        return new Obj(dcp("ChunkStorageMetadata"), chunk);
    }

    private static Obj tensorMeta(long[] size, List<Object> chunks) {
        Obj properties = new Obj(dcp("TensorProperties"), Tuple.of(new Global("torch", "float32"),
                new Global("torch", "strided"), false, new Global("torch", "contiguous_format"), false));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("properties", properties);
        m.put("size", size(size));
        m.put("chunks", chunks);
        return new Obj(dcp("TensorStorageMetadata"), m);
    }

    private static Call size(long[] dims) {
        Object[] items = new Object[dims.length];
        for (int i = 0; i < dims.length; i++) {
            items[i] = dims[i];
        }
        return new Call(new Global("torch", "Size"), Tuple.of(Tuple.of(items)));
    }

    private static Global dcp(String name) {
        return new Global("torch.distributed.checkpoint.metadata", name);
    }

    private static Global dcpFs(String name) {
        return new Global("torch.distributed.checkpoint.filesystem", name);
    }

    private static Map<String, Object> adamGroup(double weightDecay, List<Integer> params) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("lr", 0.001);
        g.put("betas", Tuple.of(0.9, 0.999));
        g.put("eps", 1e-8);
        g.put("weight_decay", weightDecay);
        g.put("amsgrad", false);
        g.put("params", params);
        return g;
    }

    /** A model as safetensors stores it: sorted by name, not in the order the optimizer enumerates it. */
    private static void writeSortedModel(Path cp) throws IOException {
        new SafetensorsWriter().add("fc1.bias", DType.F32, new long[] {2}, new double[] {1, 1})
                .add("fc1.weight", DType.F32, new long[] {2, 3}, new double[] {1, 2, 3, 4, 5, 6})
                .add("fc2.weight", DType.F32, new long[] {1, 2}, new double[] {3, 4}).write(cp.resolve("model.safetensors"));
    }

    private static Map<String, Object> adamState(Map<String, Object> group, long[][] shapes) {
        Map<Object, Object> state = new LinkedHashMap<>();
        for (int id = 0; id < shapes.length; id++) {
            Map<String, Object> slots = new LinkedHashMap<>();
            slots.put("step", TensorSpec.scalar(9));
            slots.put("exp_avg", TensorSpec.f32(shapes[id], ones(shapes[id])));
            slots.put("exp_avg_sq", TensorSpec.f32(shapes[id], ones(shapes[id])));
            state.put(id, slots);
        }
        Map<String, Object> optimizer = new LinkedHashMap<>();
        optimizer.put("state", state);
        optimizer.put("param_groups", List.of(group));
        return optimizer;
    }

    private static double[] ones(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] v = new double[(int) n];
        java.util.Arrays.fill(v, 1);
        return v;
    }

    private static Tensor tensor(Checkpoint c, String name) {
        return c.tensors().stream().filter(t -> t.info().name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no tensor " + name + " in " + c.tensors()));
    }

    private static TensorInfo info(Checkpoint c, String name) {
        return tensor(c, name).info();
    }
}
