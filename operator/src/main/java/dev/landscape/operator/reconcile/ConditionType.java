package dev.landscape.operator.reconcile;

/** The probe's conditions, in the order {@code kubectl describe} shows them. */
public enum ConditionType {
    /** The probe is accepted and the operator is acting on it. */
    READY("Ready"),
    /** No active metric finding (non-finite values, edge of stability, spikes, oscillation). */
    TRAINING_STABLE("TrainingStable"),
    /** Ranks agree on replicated weights and progress at the same pace. */
    WORKERS_IN_SYNC("WorkersInSync"),
    /** No OOM kill, error exit, eviction or restart loop on the selected pods, and tier 2 runs where it is configured. */
    INFRASTRUCTURE_HEALTHY("InfrastructureHealthy");

    private final String value;

    ConditionType(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }
}
