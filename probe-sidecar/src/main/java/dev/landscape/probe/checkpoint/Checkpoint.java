package dev.landscape.probe.checkpoint;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One opened checkpoint: its tensors (not yet read), the training step when the checkpoint says so, the training
 * log when it carries one, and the optimizer hyper-parameters when it stores them. Closing it releases the files
 * and mappings its tensors read from; tensors must not be read after close.
 */
public final class Checkpoint implements Closeable {

    private final Path path;
    private final String format;
    private final OptionalLong step;
    private final List<Tensor> tensors;
    private final TrainingLog log;
    private final OptimizerHints optimizer;
    private final Map<String, String> metadata;
    private final java.util.Set<String> globals;
    private final List<Closeable> resources;

    private Checkpoint(Builder b) {
        this.path = Objects.requireNonNull(b.path, "path");
        this.format = Objects.requireNonNull(b.format, "format");
        this.step = b.step;
        this.tensors = List.copyOf(b.tensors);
        this.log = b.log;
        this.optimizer = b.optimizer;
        this.metadata = Map.copyOf(b.metadata);
        this.globals = java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(b.globals));
        this.resources = List.copyOf(b.resources);
    }

    public static Builder builder(Path path, String format) {
        return new Builder(path, format);
    }

    public Path path() {
        return path;
    }

    /** One of {@code safetensors, torch-zip, torch-legacy, hf-trainer, lightning, deepspeed, dcp}. */
    public String format() {
        return format;
    }

    public OptionalLong step() {
        return step;
    }

    public List<Tensor> tensors() {
        return tensors;
    }

    /** Loss, gradient norm and learning rate logged by the trainer; empty when the checkpoint has none. */
    public TrainingLog log() {
        return log;
    }

    /** Optimizer type and hyper-parameters found in the checkpoint; {@link OptimizerHints#NONE} when absent. */
    public OptimizerHints optimizer() {
        return optimizer;
    }

    /** Free-form string metadata (safetensors {@code __metadata__}, config values), for display only. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * The pickle globals the checkpoint's files named besides torch's tensor machinery ({@code argparse.Namespace},
     * {@code collections.OrderedDict}, what the user trusted), sorted; empty for formats without pickles.
     */
    public java.util.Set<String> globals() {
        return globals;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Closeable c : resources) {
            try {
                c.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    public static final class Builder {
        private final Path path;
        private final String format;
        private OptionalLong step = OptionalLong.empty();
        private final List<Tensor> tensors = new ArrayList<>();
        private TrainingLog log = TrainingLog.EMPTY;
        private OptimizerHints optimizer = OptimizerHints.NONE;
        private Map<String, String> metadata = Map.of();
        private final java.util.Set<String> globals = new java.util.TreeSet<>();
        private final List<Closeable> resources = new ArrayList<>();

        private Builder(Path path, String format) {
            this.path = path;
            this.format = format;
        }

        public Builder step(long step) {
            this.step = OptionalLong.of(step);
            return this;
        }

        public Builder step(OptionalLong step) {
            this.step = step;
            return this;
        }

        public Builder tensor(Tensor t) {
            tensors.add(t);
            return this;
        }

        public Builder tensors(List<? extends Tensor> ts) {
            tensors.addAll(ts);
            return this;
        }

        public Builder log(TrainingLog log) {
            this.log = log;
            return this;
        }

        public Builder optimizer(OptimizerHints optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        public Builder metadata(Map<String, String> metadata) {
            this.metadata = metadata;
            return this;
        }

        public Builder globals(java.util.Collection<String> names) {
            globals.addAll(names);
            return this;
        }

        /** Something to close with the checkpoint (a channel, a zip file). */
        public Builder resource(Closeable c) {
            resources.add(c);
            return this;
        }

        public Checkpoint build() {
            return new Checkpoint(this);
        }
    }
}
