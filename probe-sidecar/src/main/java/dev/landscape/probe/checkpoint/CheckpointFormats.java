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

    /** Every format this build can read, in recognition order, under this heap's budget and the standard allowlist. */
    public static CheckpointFormats standard() {
        return standard(ReadPolicy.standard());
    }

    /** Every format this build can read, reading under {@code policy}. */
    public static CheckpointFormats standard(ReadPolicy policy) {
        List<CheckpointFormat> all = new ArrayList<>();
        all.add(new HfTrainerFormat(policy));
        all.add(new DeepSpeedFormat(policy));
        all.add(new DcpFormat(policy));
        all.add(new SafetensorsFormat(policy));
        all.add(new LightningFormat(policy));
        all.add(new TorchLegacyFormat(policy));
        all.add(new TorchZipFormat(policy));
        return new CheckpointFormats(all);
    }

    public List<CheckpointFormat> formats() {
        return formats;
    }

    /**
     * Opens {@code path} with the first format that recognises it, or says which formats were tried. Only folders
     * and regular files (symlinks followed) are looked at: a named pipe or a device is refused before any format
     * opens it.
     */
    public Checkpoint open(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such checkpoint file or folder");
        }
        if (!Files.isDirectory(path)) {
            RegularFile.check(path);
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
