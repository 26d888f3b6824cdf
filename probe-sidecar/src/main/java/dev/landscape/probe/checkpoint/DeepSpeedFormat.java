package dev.landscape.probe.checkpoint;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A DeepSpeed checkpoint: a {@code global_stepN/} folder of torch.save files, {@code mp_rank_XX_model_states.pt}
 * (the {@code module} state dict, {@code global_steps}, and without ZeRO the {@code optimizer} state dict) and, with
 * ZeRO, one {@code *_optim_states.pt} per data-parallel rank holding {@code optimizer_state_dict}. The folder above
 * it, whose {@code latest} file names the tag, is accepted too.
 *
 * <p>Names are key paths ({@code module.fc1.weight}, {@code optimizer_state_dict.base_optimizer_state.state.0.exp_avg}),
 * prefixed by the file name when there are several files of a kind. ZeRO stores Adam moments flattened per
 * partition, so they keep {@code parameter = ""}, and the fp32 master partitions beside them are in group
 * {@code other}; without ZeRO they map to {@code module} parameters as in any
 * torch optimizer state dict.
 */
public final class DeepSpeedFormat implements CheckpointFormat {

    private static final Pattern MODEL_STATES = Pattern.compile(".*mp_rank_\\d+_model_states\\.pt");
    private static final Pattern STEP_DIR = Pattern.compile("global_step(\\d{1,18})");

    private final ReadPolicy policy;

    public DeepSpeedFormat() {
        this(ReadPolicy.standard());
    }

    public DeepSpeedFormat(ReadPolicy policy) {
        this.policy = policy;
    }

    @Override
    public String name() {
        return "deepspeed";
    }

    @Override
    public boolean recognises(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return false;
        }
        return !modelFiles(path).isEmpty() || Files.isRegularFile(path.resolve("latest")) && tagDir(path) != null;
    }

    @Override
    public Checkpoint open(Path path) throws IOException {
        return open(path, policy.start());
    }

    Checkpoint open(Path path, Reading r) throws IOException {
        Path dir = modelFiles(path).isEmpty() ? tagDir(path) : path;
        if (dir == null) {
            throw new CheckpointException(path.resolve("latest"), "the tag it names is not a folder beside it");
        }
        List<Path> models = modelFiles(dir);
        if (models.isEmpty()) {
            throw new CheckpointException(dir, "DeepSpeed folder has no mp_rank_XX_model_states.pt");
        }
        List<Path> optims = files(dir, "_optim_states.pt");
        List<Closeable> opened = new ArrayList<>();
        try {
            Checkpoint.Builder b = Checkpoint.builder(path, name());
            Matcher m = STEP_DIR.matcher(dir.getFileName().toString());
            if (m.matches()) {
                b.step(Long.parseLong(m.group(1)));
            }
            boolean first = true;
            for (Path f : models) {
                String prefix = models.size() > 1 ? stem(f) : "";
                TorchFile t = TorchFile.open(r, f, prefix, List.of(), TorchObjectTree.join(prefix, "module."));
                opened.add(t.channel());
                b.tensors(t.tensors());
                if (first) {
                    t.step().ifPresent(b::step);
                    if (t.hints().isKnown()) {
                        b.optimizer(t.hints());
                    }
                    first = false;
                }
            }
            boolean hintsSet = false;
            for (Path f : optims) {
                TorchFile t = TorchFile.open(r, f, optims.size() > 1 ? stem(f) : "", List.of(), TorchTensors.NO_MODEL);
                opened.add(t.channel());
                b.tensors(t.tensors());
                if (!hintsSet && t.hints() != OptimizerHints.NONE) {
                    b.optimizer(t.hints());
                    hintsSet = true;
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

    private static Path tagDir(Path parent) throws IOException {
        Path latest = parent.resolve("latest");
        if (!Files.isRegularFile(latest) || Files.size(latest) > 4096) {
            return null;
        }
        String tag = Files.readString(latest, StandardCharsets.UTF_8).trim();
        if (tag.isEmpty() || tag.contains("/") || tag.contains("\\") || tag.equals("..") || tag.equals(".")) {
            return null;
        }
        Path dir = parent.resolve(tag);
        return Files.isDirectory(dir) ? dir : null;
    }

    private static List<Path> modelFiles(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : files(dir, "_model_states.pt")) {
            if (MODEL_STATES.matcher(p.getFileName().toString()).matches()) {
                out.add(p);
            }
        }
        return out;
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + suffix)) {
            ds.forEach(out::add);
        }
        out.sort(null);
        return out;
    }

    private static String stem(Path f) {
        String n = f.getFileName().toString();
        return n.substring(0, n.length() - ".pt".length());
    }
}
