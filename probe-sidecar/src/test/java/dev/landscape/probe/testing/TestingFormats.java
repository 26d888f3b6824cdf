package dev.landscape.probe.testing;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointFormat;
import dev.landscape.probe.checkpoint.CheckpointFormats;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Format registries for tests of what happens when reading goes wrong in ways a real file cannot arrange. */
public final class TestingFormats {

    private TestingFormats() {
    }

    /** The standard formats behind one that runs out of memory on every file whose name ends with {@code suffix}. */
    public static CheckpointFormats outOfMemoryOn(String suffix) {
        List<CheckpointFormat> all = new ArrayList<>();
        all.add(new CheckpointFormat() {
            @Override
            public String name() {
                return "out-of-memory";
            }

            @Override
            public boolean recognises(Path path) {
                return path.getFileName().toString().endsWith(suffix);
            }

            @Override
            public Checkpoint open(Path path) {
                throw new OutOfMemoryError("Java heap space (test)");
            }
        });
        all.addAll(CheckpointFormats.standard().formats());
        return new CheckpointFormats(all);
    }
}
