package dev.landscape.probe.architecture.oldcycle.runtime;

/** ArchitectureTest's fixture: the runtime's configuration record, read by the curvature runner. */
public record SidecarConfig(boolean tier2, int topK) {
}
