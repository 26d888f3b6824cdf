package dev.landscape.operator.config;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.inject.Singleton;

/**
 * Two replicas can run: only the Lease holder reconciles (so Events and status are written once), while every
 * replica serves report ingest and the admission webhook, which keep no state of their own. QOSDK activates
 * leader election in the {@code prod} profile only ({@code quarkus.operator-sdk.activate-leader-election-for-profiles}),
 * so tests and the embedded demo run a single, always-leading operator.
 */
@Singleton
public class LeaderElection extends LeaderElectionConfiguration {

    public static final String LEASE = "landscape-operator-leader";

    public LeaderElection() {
        super(LEASE);
    }
}
