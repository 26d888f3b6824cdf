package dev.landscape.demo.report;

import dev.landscape.contract.Severity;
import java.util.Objects;

/**
 * Something that happened to a rank at a step, drawn as a glyph on every chart at that step: the link between a
 * metric's shape and what Kubernetes or the operator saw.
 *
 * @param rank   the rank it happened to
 * @param step   the step it is placed at (for pod events: the rank's latest step when it happened)
 * @param kind   what happened
 * @param detail one sentence for the hover text (exit code, container, message); empty when there is nothing to add
 */
public record Marker(int rank, long step, Kind kind, String detail) {

    /** What a marker stands for. */
    public sealed interface Kind permits OomKilled, Restart, Finding, FaultInjected {
    }

    /** The rank's container was OOM-killed. */
    public record OomKilled() implements Kind {
    }

    /** The rank's container restarted. */
    public record Restart() implements Kind {
    }

    /** The operator or sidecar raised a finding. */
    public record Finding(String reason, Severity severity) implements Kind {
        public Finding {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(severity, "severity");
        }
    }

    /** The demo scenario injected a fault (ground truth for detection quality). */
    public record FaultInjected(String label) implements Kind {
        public FaultInjected {
            Objects.requireNonNull(label, "label");
        }
    }

    public Marker {
        Objects.requireNonNull(kind, "kind");
        detail = detail == null ? "" : detail;
    }

    public Marker(int rank, long step, Kind kind) {
        this(rank, step, kind, "");
    }
}
