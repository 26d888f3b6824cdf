package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The one registry of checkpoint formats. Folder layouts (HF Trainer, DeepSpeed, DCP) come before single-file
 * formats so that a {@code checkpoint-N/} folder is read as a whole, not as its first weight file.
 */
public final class CheckpointFormats {

    private final List<CheckpointFormat> formats;

    public CheckpointFormats(List<CheckpointFormat> formats) {
        this.formats = List.copyOf(formats);
    }

    /** Every format this build can read, in recognition order. */
    public static CheckpointFormats standard() {
        List<CheckpointFormat> all = new ArrayList<>();
        all.add(new HfTrainerFormat());
        all.add(new DeepSpeedFormat());
        all.add(new DcpFormat());
        all.add(new SafetensorsFormat());
        all.add(new LightningFormat());
        all.add(new TorchLegacyFormat());
        all.add(new TorchZipFormat());
        return new CheckpointFormats(all);
    }

    public List<CheckpointFormat> formats() {
        return formats;
    }

    /** Opens {@code path} with the first format that recognises it, or says which formats were tried. */
    public Checkpoint open(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such checkpoint file or folder");
        }
        for (CheckpointFormat f : formats) {
            if (f.recognises(path)) {
                return f.open(path);
            }
        }
        String names = formats.stream().map(CheckpointFormat::name).collect(Collectors.joining(", "));
        throw new CheckpointException(path, "not a recognised checkpoint (formats tried: " + names + ")");
    }
}
