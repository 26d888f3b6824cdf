package dev.landscape.probe.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What each checkpoint layout writes last, so that its presence says the writer got to the end: Hugging Face
 * Trainer's {@code trainer_state.json} (saved after model and optimizer), DeepSpeed's {@code latest} file in the
 * parent (rewritten to name the tag once the tag folder is saved), torch.distributed.checkpoint's {@code .metadata}
 * (written by the coordinator after every rank's {@code .distcp}). Single files and folders of no known layout have
 * no marker; for them only stability counts.
 */
enum CompletionMarker {
    HF_TRAINER, DEEPSPEED, DCP, NONE;

    private static final Pattern HF_NAME = Pattern.compile("checkpoint-\\d+");
    private static final Pattern DEEPSPEED_TAG = Pattern.compile("global_step(\\d+)");
    static final String TRAINER_STATE = "trainer_state.json";
    static final String DEEPSPEED_LATEST = "latest";
    static final String DCP_METADATA = ".metadata";

    /** The layout of {@code candidate}, judged from names only (its files may still be arriving). */
    static CompletionMarker of(Path candidate) throws IOException {
        if (!Files.isDirectory(candidate)) {
            return NONE;
        }
        String name = candidate.getFileName().toString();
        if (HF_NAME.matcher(name).matches() || Files.exists(candidate.resolve(TRAINER_STATE))) {
            return HF_TRAINER;
        }
        Path parent = candidate.toAbsolutePath().getParent();
        if (DEEPSPEED_TAG.matcher(name).matches() || (parent != null && Files.isRegularFile(parent.resolve(DEEPSPEED_LATEST)))) {
            return DEEPSPEED;
        }
        if (Files.exists(candidate.resolve(DCP_METADATA))) {
            return DCP;
        }
        try (Stream<Path> files = Files.list(candidate)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".distcp")) ? DCP : NONE;
        }
    }

    /** Empty when the marker is there; otherwise what is still missing, for the log. */
    Optional<String> missing(Path candidate) throws IOException {
        return switch (this) {
            case NONE -> Optional.empty();
            case HF_TRAINER -> Files.isRegularFile(candidate.resolve(TRAINER_STATE))
                    ? Optional.empty() : Optional.of("waiting for " + TRAINER_STATE + ", which the Trainer writes last");
            case DCP -> Files.isRegularFile(candidate.resolve(DCP_METADATA))
                    ? Optional.empty() : Optional.of("waiting for " + DCP_METADATA + ", which the coordinator writes last");
            case DEEPSPEED -> deepSpeedMissing(candidate);
        };
    }

    /** Complete once {@code latest} names this tag, or a later {@code global_stepN} (this one was finished first). */
    private static Optional<String> deepSpeedMissing(Path candidate) throws IOException {
        Path latest = candidate.toAbsolutePath().getParent().resolve(DEEPSPEED_LATEST);
        String tag = candidate.getFileName().toString();
        if (!Files.isRegularFile(latest)) {
            return Optional.of("waiting for " + latest + " to name tag " + tag);
        }
        String named = new String(Files.readAllBytes(latest), StandardCharsets.UTF_8).trim();
        if (named.equals(tag)) {
            return Optional.empty();
        }
        Matcher mine = DEEPSPEED_TAG.matcher(tag);
        Matcher theirs = DEEPSPEED_TAG.matcher(named);
        if (mine.matches() && theirs.matches()
                && Long.parseLong(theirs.group(1)) >= Long.parseLong(mine.group(1))) {
            return Optional.empty();
        }
        return Optional.of(latest + " names " + named + ", not yet " + tag);
    }
}
