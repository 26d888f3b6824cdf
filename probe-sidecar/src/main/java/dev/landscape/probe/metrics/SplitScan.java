package dev.landscape.probe.metrics;

import dev.landscape.probe.checkpoint.ElementStream;
import dev.landscape.probe.checkpoint.Tensor;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The stats of one large float tensor computed by several threads, with the same bits as one thread computes
 * them. numpy scans on one core; a checkpoint scan is CPU-bound once the file is in the page cache, so a 1 GiB
 * tensor is worth splitting over every core there is.
 *
 * <p>Determinism does not depend on the number of threads or on who reads what: the tensor is cut into blocks of
 * {@link StatsAccumulator#BLOCK} elements counted from its first element, which is where the one-thread scan
 * cuts too. Threads claim slices of whole blocks from a counter; each block's sum of squares goes to its own slot
 * of an array, and once every slice is done the sums are added in block order, which is the one-thread order of
 * additions. Counts and maxima are exact whatever the order. The array is bounded by scanning in rounds.
 *
 * <p>The calling thread claims slices too, so the scan finishes even when the executor never runs a helper; a
 * helper that starts after the caller has finished finds nothing to do and returns at once.
 */
final class SplitScan {

    /** Blocks per round at most: the array of block sums stays at 512 KiB however large the tensor. */
    static final int MAX_BLOCKS_PER_ROUND = 1 << 16;

    private final Tensor tensor;
    private final long sliceElements;
    private final long roundElements;
    private final Executor executor;
    private final int helpers;

    /**
     * @param sliceElements  elements per claimed slice, a multiple of {@link StatsAccumulator#BLOCK}
     * @param blocksPerRound blocks whose sums are held at once (rounded down to whole slices, at least one)
     * @param helpers        tasks given to {@code executor} besides the calling thread's own share
     */
    SplitScan(Tensor tensor, long sliceElements, int blocksPerRound, Executor executor, int helpers) {
        if (sliceElements <= 0 || sliceElements % StatsAccumulator.BLOCK != 0) {
            throw new IllegalArgumentException("slices must be whole blocks of " + StatsAccumulator.BLOCK + ", not " + sliceElements);
        }
        this.tensor = tensor;
        this.sliceElements = sliceElements;
        this.roundElements = Math.max(1, blocksPerRound / (sliceElements / StatsAccumulator.BLOCK)) * sliceElements;
        this.executor = executor;
        this.helpers = helpers;
    }

    TensorStats run() throws IOException {
        long numel = tensor.info().numel();
        StatsAccumulator total = new StatsAccumulator();
        double[] sums = new double[(int) ((Math.min(roundElements, numel) + StatsAccumulator.BLOCK - 1) / StatsAccumulator.BLOCK)];
        for (long base = 0; base < numel; base += roundElements) {
            long end = Math.min(numel, base + roundElements);
            Round round = new Round(base, end, sums);
            round.run();
            total.addBlockSums(sums, 0, round.blocks);
            for (StatsAccumulator part : round.parts) {
                total.merge(part);
            }
        }
        return total.result();
    }

    /** Elements {@code [base, end)}, cut into slices claimed by the caller and the helpers. */
    private final class Round {

        private final long base;
        private final long end;
        private final double[] sums;
        private final int blocks;
        private final int slices;
        private final AtomicInteger next = new AtomicInteger();
        private final List<StatsAccumulator> parts = new ArrayList<>();
        private int running;
        private boolean closed;
        private IOException failure;

        Round(long base, long end, double[] sums) {
            this.base = base;
            this.end = end;
            this.sums = sums;
            this.blocks = (int) ((end - base + StatsAccumulator.BLOCK - 1) / StatsAccumulator.BLOCK);
            this.slices = (int) ((end - base + sliceElements - 1) / sliceElements);
        }

        void run() throws IOException {
            for (int h = 0; h < Math.min(helpers, slices - 1); h++) {
                executor.execute(this::help);
            }
            claimSlices();
            synchronized (this) {
                closed = true;
                boolean interrupted = false;
                while (running > 0) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        // a helper is still reading this tensor's file: let it stop after its slice, and wait
                        interrupted = true;
                        next.set(slices);
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                    if (failure == null) {
                        failure = new InterruptedIOException("interrupted while scanning tensor " + tensor.info().name());
                    }
                }
                if (failure != null) {
                    throw failure;
                }
            }
        }

        private void help() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                running++;
            }
            try {
                claimSlices();
            } finally {
                synchronized (this) {
                    running--;
                    notifyAll();
                }
            }
        }

        /** Scans slices until none is left or one failed; records the failure for the caller to throw. */
        private void claimSlices() {
            StatsAccumulator acc = new StatsAccumulator();
            float[] chunk = new float[StatsAccumulator.BLOCK];
            try {
                int s;
                while ((s = next.getAndIncrement()) < slices) {
                    long from = base + s * sliceElements;
                    scanSlice(acc, chunk, from, Math.min(end, from + sliceElements));
                }
            } catch (IOException | RuntimeException e) {
                next.set(slices);
                synchronized (this) {
                    if (failure == null) {
                        failure = e instanceof IOException io ? io : new IOException("tensor " + tensor.info().name()
                                + ": " + e, e);
                    }
                }
            } finally {
                synchronized (this) {
                    parts.add(acc);
                }
            }
        }

        private void scanSlice(StatsAccumulator acc, float[] chunk, long from, long to) throws IOException {
            int block = (int) ((from - base) / StatsAccumulator.BLOCK);
            try (ElementStream stream = tensor.open(from, to)) {
                for (long at = from; at < to; at += StatsAccumulator.BLOCK) {
                    int n = (int) Math.min(StatsAccumulator.BLOCK, to - at);
                    fill(stream, chunk, n, at);
                    sums[block++] = acc.acceptFloatBlock(chunk, 0, n);
                }
                if (stream.read(chunk, 0, 1) >= 0) {
                    throw new IOException("tensor " + tensor.info().name() + ": slice [" + from + ", " + to
                            + ") yields more elements than it holds");
                }
            }
        }

        private void fill(ElementStream stream, float[] chunk, int n, long at) throws IOException {
            int got = 0;
            while (got < n) {
                int r = stream.read(chunk, got, n - got);
                if (r <= 0) {
                    throw new IOException("tensor " + tensor.info().name() + ": element stream ended at element "
                            + (at + got) + " of " + tensor.info().numel());
                }
                got += r;
            }
        }
    }
}
