package dev.landscape.probe.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Hugging Face Trainer {@code checkpoint-N/} folder: the model ({@code model.safetensors}, its sharded index, or
 * {@code pytorch_model.bin} and its index), the optimizer ({@code optimizer.pt}, tensors named
 * {@code optimizer.state.<id>.<slot>}) and {@code trainer_state.json} (step and training log). Scheduler, RNG and
 * training-argument files are not read. With DeepSpeed, the Trainer writes no {@code optimizer.pt}; the optimizer
 * state is then read from the DeepSpeed folder that {@code latest} names (see {@link DeepSpeedFormat}).
 *
 * <p>Adam moments get their parameter's name only when the model order is known: from {@code pytorch_model.bin}
 * (a state dict, in model order). The Trainer puts parameters in two groups, those with weight decay (neither a
 * bias nor a norm layer's weight) then those without, each in model order; that order is rebuilt from names and
 * checked against the groups' sizes and the moments' shapes. A safetensors model is stored sorted by dtype and
 * name, not in model order, so there the moments are named only when the optimizer recorded its parameters' names
 * ({@code param_names} in each param group: torch ≥ 2.6 with an optimizer built from {@code named_parameters()});
 * otherwise its optimizer state keeps {@code parameter = ""}.
 */
public final class HfTrainerFormat implements CheckpointFormat {

    private static final Pattern CHECKPOINT_DIR = Pattern.compile("checkpoint-\\d{1,18}");

    /**
     * Only a sharded {@code pytorch_model.bin} index needs a tree. A holder, because this class is loaded by every
     * registry lookup and databind's initialisation is some 500 classes (0.1 s) that {@code inspect FILE} never uses.
     */
    private static final class Index {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    private final ReadPolicy policy;
    private final DeepSpeedFormat deepspeed;
    private final SafetensorsFormat safetensors;

    public HfTrainerFormat() {
        this(ReadPolicy.standard());
    }

    public HfTrainerFormat(ReadPolicy policy) {
        this.policy = policy;
        this.deepspeed = new DeepSpeedFormat(policy);
        this.safetensors = new SafetensorsFormat(policy);
    }

    @Override
    public String name() {
        return "hf-trainer";
    }

    @Override
    public boolean recognises(Path path) {
        if (!Files.isDirectory(path)) {
            return false;
        }
        boolean named = path.getFileName() != null && CHECKPOINT_DIR.matcher(path.getFileName().toString()).matches();
        return Files.isRegularFile(path.resolve("trainer_state.json"))
                || named && (Files.isRegularFile(path.resolve("optimizer.pt")) || modelFile(path) != null);
    }

    @Override
    public Checkpoint open(Path dir) throws IOException {
        Reading r = policy.start();
        List<Closeable> opened = new ArrayList<>();
        try {
            Checkpoint.Builder b = Checkpoint.builder(dir, name());
            String dirName = dir.getFileName() == null ? "" : dir.getFileName().toString();
            if (CHECKPOINT_DIR.matcher(dirName).matches()) {
                b.step(Long.parseLong(dirName.substring("checkpoint-".length())));
            }
            List<TensorInfo> modelOrder = List.of();
            List<TensorInfo> modelTensors;
            Path model = modelFile(dir);
            if (model == null) {
                throw new CheckpointException(dir, "HF Trainer folder has no model.safetensors, pytorch_model.bin or"
                        + " their *.index.json");
            }
            String file = model.getFileName().toString();
            if (file.endsWith(".safetensors") || file.endsWith(".safetensors.index.json")) {
                Checkpoint weights = safetensors.open(model, r);
                opened.add(weights);
                b.tensors(weights.tensors()).metadata(weights.metadata());
                modelTensors = weights.tensors().stream().map(Tensor::info).filter(TensorInfo::isModel).toList();
            } else {
                List<Tensor> tensors = new ArrayList<>();
                for (Path shard : binShards(dir, model, r)) {
                    TorchFile t = TorchFile.open(r, shard, "", List.of());
                    opened.add(t.channel());
                    tensors.addAll(t.tensors());
                }
                b.tensors(tensors);
                List<TensorInfo> infos = tensors.stream().map(Tensor::info).toList();
                modelOrder = OptimizerParameters.trainable(infos, Set.of());
                modelTensors = infos;
            }
            Path optimizer = dir.resolve("optimizer.pt");
            if (Files.isRegularFile(optimizer)) {
                List<TensorInfo> order = modelOrder;
                TorchFile opt = TorchFile.open(r, optimizer, "optimizer", walk -> trainerOrder(order, walk), modelTensors,
                        "");
                opened.add(opt.channel());
                b.tensors(opt.tensors()).optimizer(opt.hints());
            } else if (deepspeed.recognises(dir)) {
                // Trainer with DeepSpeed: the optimizer state lives in the DeepSpeed tag folder beside the model.
                Checkpoint ds = deepspeed.open(dir, r);
                opened.add(ds);
                b.tensors(ds.tensors().stream().filter(t -> t.info().group().startsWith("optimizer.")).toList())
                        .optimizer(ds.optimizer());
            }
            Path state = dir.resolve("trainer_state.json");
            if (Files.isRegularFile(state)) {
                TrainerState ts = TrainerState.read(state, r.budget());
                b.log(ts.log());
                if (ts.globalStep().isPresent()) {
                    b.step(ts.globalStep());
                }
            }
            opened.forEach(b::resource);
            return b.globals(r.globals()).build();
        } catch (IOException | RuntimeException e) {
            for (Closeable c : opened) {
                c.close();
            }
            throw e;
        }
    }

    /** Model order regrouped as the Trainer groups it, when the optimizer has its two groups. */
    static List<TensorInfo> trainerOrder(List<TensorInfo> modelOrder, TorchObjectTree.Walk walk) {
        if (modelOrder.isEmpty() || walk.optimizers().isEmpty()) {
            return modelOrder;
        }
        List<?> groups = walk.optimizers().get(0).paramGroups();
        if (groups.size() != 2) {
            return modelOrder;
        }
        List<TensorInfo> decay = new ArrayList<>();
        List<TensorInfo> noDecay = new ArrayList<>();
        for (TensorInfo t : modelOrder) {
            (isDecayExempt(t.name()) ? noDecay : decay).add(t);
        }
        if (groups.get(0) instanceof Map<?, ?> g0 && g0.get("params") instanceof List<?> p0 && p0.size() == decay.size()) {
            List<TensorInfo> out = new ArrayList<>(decay);
            out.addAll(noDecay);
            return out;
        }
        return List.of();
    }

    /** The Trainer's rule, by name: biases and normalisation layers' weights get no weight decay. */
    static boolean isDecayExempt(String name) {
        for (String part : name.toLowerCase(java.util.Locale.ROOT).split("\\.")) {
            if (part.contains("bias") || part.contains("norm") || part.equals("ln") || part.startsWith("ln_")) {
                return true;
            }
        }
        return false;
    }

    private static Path modelFile(Path dir) {
        for (String n : List.of("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin",
                "pytorch_model.bin.index.json")) {
            if (Files.isRegularFile(dir.resolve(n))) {
                return dir.resolve(n);
            }
        }
        return null;
    }

    private static List<Path> binShards(Path dir, Path model, Reading r) throws IOException {
        if (!model.getFileName().toString().endsWith(".index.json")) {
            return List.of(model);
        }
        JsonNode map;
        try {
            map = Index.JSON.readTree(RegularFile.readSmall(model, r.budget(), "the index")).path("weight_map");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CheckpointException(model, -1, "index is not valid JSON: " + e.getOriginalMessage());
        }
        if (!map.isObject()) {
            throw new CheckpointException(model, "index has no \"weight_map\" object");
        }
        Set<Path> shards = new LinkedHashSet<>();
        for (JsonNode shard : map) {
            String s = shard.asText();
            if (s.isEmpty() || s.contains("/") || s.contains("\\") || s.equals("..")) {
                throw new CheckpointException(model, "weight_map names \"" + s + "\", which is not a file beside the index");
            }
            shards.add(dir.resolve(s));
        }
        return List.copyOf(shards);
    }
}
