package dev.landscape.demo.cluster;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Stopping a child as the kubelet does: SIGTERM, a grace period, then SIGKILL (descendants included). */
final class Processes {

    private Processes() {
    }

    static void stop(Process p, Duration grace) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
