package dev.landscape.probe.curvature;

import dev.landscape.contract.Tier2Memory;
import org.bytedeco.javacpp.Pointer;

/**
 * Keeps ND4J's native garbage bounded. ND4J frees an array's native buffer only when the garbage collector finds
 * its Java object, and the Java side of an array is a few hundred bytes: the heap barely grows while a forward and
 * backward pass leaves gigabytes of dead native buffers behind (the ops' temporaries; a 124 M-parameter GPT's pass
 * left ~13 GB, a 10 M one's ~3 GB, before this). So a daemon thread watches the resident set and asks for a
 * collection whenever it has grown by {@link #SLACK} since the last one: the dead buffers are freed (large ones are
 * unmapped, so the resident set falls back) and the resident set stays within the live arrays plus the slack.
 */
final class NativeGarbage {

    /** Resident growth since the last collection that triggers the next (the tier-2 memory formula counts it). */
    static final long SLACK = Tier2Memory.NATIVE_GARBAGE;

    private static final long POLL_MILLIS = 20;
    private static Thread watcher;

    private NativeGarbage() {
    }

    /** Starts the watcher once per process (a daemon: it never keeps the JVM alive). */
    static synchronized void watch() {
        if (watcher != null) {
            return;
        }
        watcher = new Thread(NativeGarbage::run, "landscape-native-gc");
        watcher.setDaemon(true);
        watcher.setPriority(Thread.MIN_PRIORITY);
        watcher.start();
    }

    private static void run() {
        long base = Pointer.physicalBytes();
        while (true) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long now = Pointer.physicalBytes();
            if (now - base > SLACK) {
                System.gc();
                base = Pointer.physicalBytes();
            } else if (now < base) {
                base = now;
            }
        }
    }
}
