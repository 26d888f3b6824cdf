package dev.landscape.operator.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeStatus;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import jakarta.inject.Inject;

import java.time.Clock;
import java.util.List;

/**
 * Sequences a probe's reconciliation: validate → status (through {@link ConditionAggregator}) and nothing else
 * yet; observing pods and reports, correlating and alerting are added as phases of their own. Writes status only
 * when it changed, with a JSON merge patch (the mode the tests exercise and production uses).
 */
@ControllerConfiguration(name = LandscapeProbeReconciler.NAME)
public class LandscapeProbeReconciler implements Reconciler<LandscapeProbe> {

    public static final String NAME = "landscapeprobe";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;

    @Inject
    public LandscapeProbeReconciler(Clock clock) {
        this.clock = clock;
    }

    @Override
    public UpdateControl<LandscapeProbe> reconcile(LandscapeProbe probe, Context<LandscapeProbe> context) {
        LandscapeProbeStatus current = probe.getStatus() == null ? new LandscapeProbeStatus() : probe.getStatus();
        Long generation = probe.getMetadata().getGeneration();
        ConditionAggregator conditions = new ConditionAggregator(current.getConditions(), generation, clock);

        List<String> problems = SpecValidator.validate(probe.getSpec());
        if (problems.isEmpty()) {
            conditions.set(ConditionType.READY, true, "Accepted",
                    "Probe accepted; training pods matching its selector get the sidecar when they are created.");
        } else {
            conditions.set(ConditionType.READY, false, "InvalidSpec", String.join("; ", problems) + ".");
        }
        conditions.keepOrUnknown(ConditionType.TRAINING_STABLE, "NoReportsYet", "No checkpoint has been analysed yet.");
        conditions.keepOrUnknown(ConditionType.WORKERS_IN_SYNC, "NoReportsYet", "No rank has reported yet.");
        conditions.keepOrUnknown(ConditionType.INFRASTRUCTURE_HEALTHY, "NoPodsObserved", "No selected pod has been observed yet.");

        LandscapeProbeStatus next = JSON.convertValue(current, LandscapeProbeStatus.class);
        next.setObservedGeneration(generation);
        next.setConditions(conditions.conditions());

        if (JSON.valueToTree(next).equals(JSON.valueToTree(probe.getStatus()))) {
            return UpdateControl.noUpdate();
        }
        probe.setStatus(next);
        return UpdateControl.patchStatus(probe);
    }
}
