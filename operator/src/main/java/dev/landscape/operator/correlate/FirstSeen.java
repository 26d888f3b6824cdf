package dev.landscape.operator.correlate;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * When and at which training step an ongoing finding was first raised, carried across reconciles together: a
 * detector re-evaluating a finding sees only the present evidence (the latest compared step, the latest checkpoint),
 * so without this the step crept forward at every reconcile while the start stayed, and "since step 71" was read
 * for a problem that began at 55.
 */
public record FirstSeen(Instant since, OptionalLong step) {

    public FirstSeen {
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(step, "step");
    }
}
