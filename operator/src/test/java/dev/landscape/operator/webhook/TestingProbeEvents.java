package dev.landscape.operator.webhook;

import dev.landscape.operator.crd.LandscapeProbe;

import java.util.ArrayList;
import java.util.List;

/** Records Events instead of writing them. */
final class TestingProbeEvents implements ProbeEvents {

    record Recorded(String probe, String reason, String message) {
    }

    final List<Recorded> recorded = new ArrayList<>();

    @Override
    public void warning(LandscapeProbe probe, String reason, String message) {
        recorded.add(new Recorded(probe.getMetadata().getName(), reason, message));
    }
}
