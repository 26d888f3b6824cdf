package dev.landscape.probe.checkpoint;

/**
 * Every size limit of the checkpoint readers, derived from one number: the heap the process runs with. A
 * checkpoint is untrusted input, and a fixed limit sized for a workstation (a 256 MiB pickle, a 100 MB header) is
 * larger than the whole 128 MiB heap the sidecar runs with, so the file would win and the process would die of an
 * {@link OutOfMemoryError}. Each limit here is a fraction of the heap; the ones that can be alive at the same time
 * while one checkpoint is opened (pickle bytes, pickle strings, pickle objects, tensor descriptions, tensor names)
 * add up to about half of it, leaving the other half for the previous checkpoint the watch loop keeps open, the
 * analysis and the process itself. Names get less than their share as read (one sixty-fourth of the heap in
 * characters), because the analysis copies each several times (layer names, sketch and metric keys, output). At the
 * limits of {@code -Xmx128m} (3,950 tensors per checkpoint, 490-character names), {@code analyze} of three such
 * checkpoints held at most 43 MB live after a full collection (35 MB with short names). A file over a limit is refused with a {@link CheckpointException} naming the limit and the heap it
 * came from, so the user knows to raise {@code -Xmx} if the file is genuine.
 *
 * <p>Where a format has a limit of its own (the safetensors reference reader's 100 MB header, 64 dimensions) the
 * smaller one wins.
 *
 * @param heapBytes          the heap the limits were derived from ({@link Runtime#maxMemory()})
 * @param maxMetadataBytes   a safetensors JSON header, a zip central directory, an index or trainer_state.json
 * @param maxInflatedPickle  a compressed {@code data.pkl} once inflated
 * @param maxPickleStrings   characters of all strings and names in one pickle
 * @param maxPickleObjects   values and container slots one pickle may create, and memo slots
 * @param maxTensors         tensors in one checkpoint, all its files together
 * @param maxNameChars       one tensor's name (its key path)
 * @param maxTotalNameChars  all tensor names of one checkpoint together
 * @param maxZipEntries      entries in one zip directory
 * @param maxRank            dimensions of one tensor
 */
public record MemoryBudget(long heapBytes, long maxMetadataBytes, long maxInflatedPickle, long maxPickleStrings,
                           long maxPickleObjects, int maxTensors, int maxNameChars, long maxTotalNameChars,
                           int maxZipEntries, int maxRank) {

    /**
     * What one tensor costs while a checkpoint is open and analysed, all told: its description and name, its view
     * of the file, its statistics and its width-256 fingerprint sketch (2 KiB alone). Measured at about 3.5 KB in
     * {@code analyze} (two 3,950-tensor checkpoints open, 35 MB live with the JVM's own); rounded up.
     */
    static final int BYTES_PER_TENSOR = 4096;
    /** A pickle value or container slot: a boxed number or an empty list with its map or memo entry. */
    static final int BYTES_PER_PICKLE_OBJECT = 64;
    /** The safetensors reference implementation's header limit. */
    static final long FORMAT_MAX_HEADER = 100L << 20;
    static final long FORMAT_MAX_PICKLE = 256L << 20;
    static final int FORMAT_MAX_NAME = 1 << 16;
    static final int FORMAT_MAX_RANK = 64;
    static final int FORMAT_MAX_ZIP_ENTRIES = 1_000_000;

    /** The budget of this process's heap. */
    public static MemoryBudget ofThisHeap() {
        return forHeap(Runtime.getRuntime().maxMemory());
    }

    /** The budget a process with {@code heapBytes} of heap (its {@code -Xmx}) reads checkpoints under. */
    public static MemoryBudget forHeap(long heapBytes) {
        long h = Math.max(heapBytes, 16L << 20);
        return new MemoryBudget(h,
                Math.min(FORMAT_MAX_HEADER, h / 8),
                Math.min(FORMAT_MAX_PICKLE, h / 8),
                h / 32,
                h / 8 / BYTES_PER_PICKLE_OBJECT,
                (int) Math.min(Integer.MAX_VALUE, h / 8 / BYTES_PER_TENSOR),
                (int) Math.min(FORMAT_MAX_NAME, h / 2048),
                h / 64,
                (int) Math.min(FORMAT_MAX_ZIP_ENTRIES, h / 8 / 256),
                FORMAT_MAX_RANK);
    }

    /** "the 16 MiB limit of a 128 MiB heap": how a refusal names a limit, so the reader knows what to raise. */
    public String describe(long limit, String unit) {
        String amount = unit.equals("bytes") ? mib(limit) : limit + " " + unit;
        return "the " + amount + " limit of a " + mib(heapBytes) + " heap (raise -Xmx if the file is genuine)";
    }

    private static String mib(long bytes) {
        return bytes >= (1L << 20) ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }
}
