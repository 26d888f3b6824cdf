package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * PyTorch Lightning {@code .ckpt}: a torch.save file (zip, or legacy for old versions) of a dict with
 * {@code state_dict}, {@code optimizer_states} (a list of optimizer state dicts), {@code global_step} and
 * {@code epoch}. Tensors keep their key paths ({@code state_dict.layer.weight},
 * {@code optimizer_states.0.state.0.exp_avg}); the step is {@code global_step}. Callback classes used as dict keys
 * stay inert; tensors outside {@code state_dict} and {@code optimizer_states} (a callback's best score) are in
 * group {@code other}.
 */
public final class LightningFormat implements CheckpointFormat {

    private final ReadPolicy policy;

    public LightningFormat() {
        this(ReadPolicy.standard());
    }

    public LightningFormat(ReadPolicy policy) {
        this.policy = policy;
    }

    @Override
    public String name() {
        return "lightning";
    }

    @Override
    public boolean recognises(Path path) {
        return !Files.isDirectory(path) && path.getFileName().toString().endsWith(".ckpt");
    }

    @Override
    public Checkpoint open(Path path) throws IOException {
        Reading r = policy.start();
        return TorchFile.open(r, path, "", List.of(), "state_dict.").checkpoint(name(), r).build();
    }
}
