package dev.landscape.operator.correlate;

import dev.landscape.contract.Severity;
import dev.landscape.contract.Reason;
import dev.landscape.operator.correlate.RankTimeline.CheckpointPoint;
import dev.landscape.operator.correlate.RankTimeline.InfraPoint;
import dev.landscape.operator.correlate.RankTimeline.SidecarFinding;
import dev.landscape.operator.correlate.RankTimeline.Sketch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** A terse builder of rank timelines for table-driven correlation tests. Minute m is {@code T0 + m minutes}. */
final class TestingTimeline {

    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    private final int rank;
    private String pod;
    private boolean running = true;
    private String waiting = "";
    private final List<CheckpointPoint> checkpoints = new ArrayList<>();
    private final List<InfraPoint> infra = new ArrayList<>();
    private long sketchStep;
    private final List<Sketch> sketches = new ArrayList<>();

    private TestingTimeline(int rank) {
        this.rank = rank;
        this.pod = "train-worker-" + rank;
    }

    static TestingTimeline rank(int rank) {
        return new TestingTimeline(rank);
    }

    static Instant minute(double m) {
        return T0.plusMillis((long) (m * 60_000));
    }

    /** Checkpoints every {@code everyMinutes} from minute 0, steps {@code stepEvery} apart, no findings. */
    TestingTimeline clean(int count, long stepEvery, double everyMinutes) {
        for (int i = 1; i <= count; i++) {
            checkpoint(i * stepEvery, i * everyMinutes);
        }
        return this;
    }

    TestingTimeline checkpoint(long step, double minute, SidecarFinding... findings) {
        checkpoints.add(new CheckpointPoint(step, minute(minute), pod, OptionalDouble.of(1.0), OptionalDouble.of(0.5),
                OptionalDouble.of(0.3), 0, List.of(findings)));
        return this;
    }

    TestingTimeline infra(double minute, Reason reason, Integer exitCode, int restartCount) {
        infra.add(new InfraPoint(minute(minute), pod, Optional.ofNullable(reason), exitCode, restartCount, ""));
        return this;
    }

    TestingTimeline notRunning() {
        running = false;
        return this;
    }

    TestingTimeline waiting(String reason) {
        waiting = reason;
        return this;
    }

    TestingTimeline sketch(long step, String tensor, double norm, double... values) {
        sketchStep = step;
        sketches.add(new Sketch(tensor, 7L, norm, values));
        return this;
    }

    static SidecarFinding finding(Reason reason, Severity severity, String message) {
        return new SidecarFinding(reason, severity, message, Map.of());
    }

    RankTimeline build() {
        return new RankTimeline(rank, pod, running, waiting, checkpoints, infra, sketchStep, sketches);
    }
}
