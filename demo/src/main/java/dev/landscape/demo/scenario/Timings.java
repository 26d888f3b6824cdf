package dev.landscape.demo.scenario;

import java.time.Duration;

/**
 * The demo's clock settings. Production defaults are minutes (quiet period 30 s, poll 10 s, rescan 30 s); the demo
 * shortens them so that a run takes minutes instead of hours, with the same logic.
 *
 * @param checkpointPace wall-clock time between two checkpoints of a rank
 * @param quietPeriod    how long a checkpoint's files stay unchanged before the sidecar reads it
 * @param pollInterval   how often each sidecar looks for new checkpoints
 * @param rescan         how often the operator re-evaluates the probe without events (notices silence)
 */
public record Timings(Duration checkpointPace, Duration quietPeriod, Duration pollInterval, Duration rescan) {

    public static Timings demo() {
        return new Timings(Duration.ofMillis(500), Duration.ofMillis(200), Duration.ofMillis(100), Duration.ofSeconds(1));
    }
}
