package dev.landscape.operator.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.operator.alert.FindingEvents;
import dev.landscape.operator.alert.OperatorMetrics;
import dev.landscape.operator.alert.ProbeGauges;
import dev.landscape.operator.alert.Silences;
import dev.landscape.operator.config.ReconcileConfig;
import dev.landscape.operator.correlate.CorrelationThresholds;
import dev.landscape.operator.correlate.Correlator;
import dev.landscape.operator.correlate.CorrelatedFinding;
import dev.landscape.operator.correlate.RankTimeline;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeStatus;
import dev.landscape.operator.crd.ProbeReport;
import dev.landscape.operator.observe.EffectiveThresholds;
import dev.landscape.operator.store.LabelSelectors;
import dev.landscape.operator.observe.Observation;
import dev.landscape.operator.observe.ProbeObserver;
import dev.landscape.operator.observe.TimelineFactory;
import dev.landscape.operator.observe.UnlabelledPodReader;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Sequences a probe's reconciliation, and only sequences: validate → observe (pods, ranks, ProbeReports;
 * infrastructure history saved) → correlate (pure) → save status (findings marked where a silence covers them) →
 * announce new findings as Events (Normal while silenced, Warning once a silence no longer covers them) → come back
 * later (a hang is noticed by the absence of events, so the probe is re-evaluated periodically, and when a silence
 * begins or ends). Status is saved before any side effect, and only when it changed.
 *
 * <p>Spec changes and changes to the silence annotations reconcile at once ({@link SilenceOrSpecChanged}); other
 * metadata and status updates do not.
 */
@ControllerConfiguration(name = LandscapeProbeReconciler.NAME, generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = SilenceOrSpecChanged.class))
public class LandscapeProbeReconciler implements Reconciler<LandscapeProbe> {

    public static final String NAME = "landscapeprobe";
    static final String PODS = "pods";
    static final String REPORTS = "probereports";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private final ProbeObserver observer;
    private final UnlabelledPodReader unlabelled;
    private final FindingEvents events;
    private final OperatorMetrics metrics;
    private final Duration rescan;

    @Inject
    public LandscapeProbeReconciler(Clock clock, ProbeObserver observer, UnlabelledPodReader unlabelled,
                                    FindingEvents events, OperatorMetrics metrics, ReconcileConfig config) {
        this.clock = clock;
        this.observer = observer;
        this.unlabelled = unlabelled;
        this.events = events;
        this.metrics = metrics;
        this.rescan = config.rescanInterval();
    }

    @Override
    public List<EventSource<?, LandscapeProbe>> prepareEventSources(EventSourceContext<LandscapeProbe> context) {
        // Only pods the webhook labelled for a probe: a cache of every pod in the cluster would grow with pods that
        // never matter (50,000 and more on large training clusters). Unlabelled selected pods: UnlabelledPodReader.
        var pods = InformerEventSourceConfiguration.from(Pod.class, LandscapeProbe.class)
                .withName(PODS)
                .withLabelSelector(LandscapeProbe.LABEL)
                .withSecondaryToPrimaryMapper(pod -> context.getPrimaryCache()
                        .list(pod.getMetadata().getNamespace(),
                                probe -> probe.getSpec() != null
                                        && LabelSelectors.matches(probe.getSpec().getSelector(), pod.getMetadata().getLabels()))
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
                .build();
        var reports = InformerEventSourceConfiguration.from(ProbeReport.class, LandscapeProbe.class)
                .withName(REPORTS)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(LandscapeProbe.class))
                .build();
        return List.of(new InformerEventSource<>(pods, context), new InformerEventSource<>(reports, context));
    }

    @Override
    @SuppressWarnings("unchecked")
    public UpdateControl<LandscapeProbe> reconcile(LandscapeProbe probe, Context<LandscapeProbe> context) {
        Instant now = Instant.now(clock);
        List<String> problems = SpecValidator.validate(probe.getSpec());
        if (!problems.isEmpty()) {
            return saveStatus(probe, invalid(probe, problems), context);
        }

        String ns = probe.getMetadata().getNamespace();
        var podSource = (InformerEventSource<Pod, LandscapeProbe>) context.eventSourceRetriever()
                .getEventSourceFor(Pod.class, PODS);
        var reportSource = (InformerEventSource<ProbeReport, LandscapeProbe>) context.eventSourceRetriever()
                .getEventSourceFor(ProbeReport.class, REPORTS);
        List<Pod> pods = new ArrayList<>(podSource.list(ns, p -> true).toList());
        pods.addAll(unlabelled.read(probe, now));
        List<ProbeReport> reports = reportSource.list(ns, r -> r.getSpec() != null
                && probe.getMetadata().getName().equals(r.getSpec().getProbe())).toList();
        Observation seen = observer.observe(probe, pods, reports, now);

        List<RankTimeline> timelines = timelines(seen);
        CorrelationThresholds thresholds = EffectiveThresholds.of(probe.getSpec().getThresholds());
        List<CorrelatedFinding> findings = Correlator.correlate(timelines, thresholds, now, StatusFactory.firstSeenByIdentity(probe.getStatus()));

        Silences silences = Silences.of(probe);
        Map<String, Boolean> announced = announcedSilenced(probe.getStatus());
        LandscapeProbeStatus next = StatusFactory.build(probe, seen, timelines, findings, silences, clock);
        UpdateControl<LandscapeProbe> control = saveStatus(probe, next, context);

        for (CorrelatedFinding f : findings) {
            Optional<Instant> silencedUntil = silences.until(f.reason().name(), f.rank(), clock);
            Boolean wasSilenced = announced.get(f.key());
            if (wasSilenced == null || (wasSilenced && silencedUntil.isEmpty())) {
                events.announce(probe, f, podOf(seen, f), silencedUntil);
            }
        }
        metrics.observed(probe, ProbeGauges.of(probe, seen, timelines, thresholds));
        return control.rescheduleAfter(nextPass(silences, now));
    }

    /** The rescan interval, or sooner when a silence begins or ends before then. */
    private Duration nextPass(Silences silences, Instant now) {
        return silences.nextChange(clock).map(t -> Duration.between(now, t).plusSeconds(1))
                .filter(d -> d.compareTo(rescan) < 0).orElse(rescan);
    }

    @Override
    public ErrorStatusUpdateControl<LandscapeProbe> updateErrorStatus(LandscapeProbe probe, Context<LandscapeProbe> context, Exception e) {
        metrics.reconcileError(probe);
        return ErrorStatusUpdateControl.defaultErrorProcessing();
    }

    private static List<RankTimeline> timelines(Observation seen) {
        Set<Integer> ranks = new HashSet<>(seen.podsByRank().keySet());
        ranks.addAll(seen.reportsByRank().keySet());
        List<RankTimeline> out = new ArrayList<>();
        for (int rank : ranks.stream().sorted().toList()) {
            List<Pod> pods = seen.podsByRank().getOrDefault(rank, List.of());
            Pod current = pods.isEmpty() ? null : pods.get(pods.size() - 1);
            out.add(TimelineFactory.from(rank, seen.reportsByRank().get(rank), current));
        }
        return out;
    }

    private static Pod podOf(Observation seen, CorrelatedFinding f) {
        if (f.rank().isEmpty()) {
            return null;
        }
        List<Pod> pods = seen.podsByRank().getOrDefault(f.rank().getAsInt(), List.of());
        return pods.stream().filter(p -> p.getMetadata().getName().equals(f.pod())).findFirst()
                .orElse(pods.isEmpty() ? null : pods.get(pods.size() - 1));
    }

    /** The findings already announced, by key: whether they were silenced when announced. */
    private static Map<String, Boolean> announcedSilenced(LandscapeProbeStatus status) {
        if (status == null) {
            return Map.of();
        }
        return status.getFindings().stream().collect(Collectors.toMap(StatusFactory::key,
                f -> f.getSilencedUntil() != null, (a, b) -> a && b));
    }

    private LandscapeProbeStatus invalid(LandscapeProbe probe, List<String> problems) {
        LandscapeProbeStatus current = probe.getStatus() == null ? new LandscapeProbeStatus() : probe.getStatus();
        ConditionAggregator conditions = new ConditionAggregator(current.getConditions(), probe.getMetadata().getGeneration(), clock);
        conditions.set(ConditionType.READY, false, "InvalidSpec", String.join("; ", problems) + ".");
        conditions.keepOrUnknown(ConditionType.TRAINING_STABLE, "NoReportsYet", "No checkpoint has been analysed yet.");
        conditions.keepOrUnknown(ConditionType.WORKERS_IN_SYNC, "NoReportsYet", "No rank has reported yet.");
        conditions.keepOrUnknown(ConditionType.INFRASTRUCTURE_HEALTHY, "NoPodsObserved", "No selected pod has been observed yet.");
        LandscapeProbeStatus next = JSON.convertValue(current, LandscapeProbeStatus.class);
        next.setObservedGeneration(probe.getMetadata().getGeneration());
        next.setConditions(conditions.conditions());
        return next;
    }

    /** Replaces the status subresource when it changed (optimistic locking: a conflict is retried by the SDK). */
    private static UpdateControl<LandscapeProbe> saveStatus(LandscapeProbe probe, LandscapeProbeStatus next,
                                                            Context<LandscapeProbe> context) {
        if (JSON.valueToTree(next).equals(JSON.valueToTree(probe.getStatus()))) {
            return UpdateControl.noUpdate();
        }
        probe.setStatus(next);
        context.resourceOperations().updatePrimaryStatus(probe);
        return UpdateControl.noUpdate();
    }
}
