package dev.landscape.operator.observe;

import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.ProbeReport;
import dev.landscape.operator.rank.JobSetShapes;
import dev.landscape.operator.rank.RankResolver;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Observes one probe's world: which pods it selects and their ranks, and what each rank's ProbeReport holds. Its
 * only write is the rank's infrastructure history (restarts, OOM kills, exits, evictions) into that ProbeReport's
 * status, so that counts survive operator restarts; it never acts on pods.
 */
@ApplicationScoped
public class ProbeObserver {

    private static final Logger LOG = Logger.getLogger(ProbeObserver.class);

    private final ProbeReportStore store;
    private final JobSetShapes jobSets;

    @Inject
    public ProbeObserver(ProbeReportStore store, JobSetShapes jobSets) {
        this.store = store;
        this.jobSets = jobSets;
    }

    /**
     * @param pods    the probe's namespace's pods (from the informer cache); filtered here by the selector
     * @param reports the probe's ProbeReports (from the informer cache)
     */
    public Observation observe(LandscapeProbe probe, Collection<Pod> pods, Collection<ProbeReport> reports, Instant now) {
        List<Pod> selected = pods.stream()
                .filter(p -> LabelSelectors.matches(probe.getSpec().getSelector(), p.getMetadata().getLabels()))
                .sorted(Comparator.comparing(p -> Objects.toString(p.getMetadata().getCreationTimestamp(), "")))
                .toList();
        Map<Integer, List<Pod>> byRank = new TreeMap<>();
        List<String> unranked = new ArrayList<>();
        int injected = 0;
        Map<UninjectedCause, Integer> uninjectedByCause = new java.util.EnumMap<>(UninjectedCause.class);
        for (Pod p : selected) {
            // The rank the webhook recorded at admission, else the same rule (pods admitted before the operator ran).
            OptionalInt rank = RankResolver.of(probe, p, jobSets).number();
            if (rank.isEmpty()) {
                unranked.add(p.getMetadata().getName());
            } else {
                byRank.computeIfAbsent(rank.getAsInt(), r -> new ArrayList<>()).add(p);
            }
            if (hasSidecar(p)) {
                injected++;
            } else if (active(p)) {
                uninjectedByCause.merge(UninjectedCause.of(probe, p), 1, Integer::sum);
            }
        }
        Map<Integer, ProbeReport> reportsByRank = new TreeMap<>();
        for (ProbeReport r : reports) {
            if (r.getSpec() != null && r.getSpec().getRank() != null
                    && probe.getMetadata().getName().equals(r.getSpec().getProbe())) {
                reportsByRank.put(r.getSpec().getRank(), r);
            }
        }
        for (Map.Entry<Integer, List<Pod>> e : byRank.entrySet()) {
            try {
                reportsByRank.put(e.getKey(), store.update(probe, e.getKey(), reportsByRank.get(e.getKey()),
                        status -> InfraAccounting.account(status, e.getValue(), now)));
            } catch (RuntimeException ex) {
                LOG.warnf("rank %d of %s/%s: infrastructure history not saved this time (%s); it will be on the next reconcile",
                        e.getKey(), probe.getMetadata().getNamespace(), probe.getMetadata().getName(), ex.getMessage());
            }
        }
        return new Observation(byRank, reportsByRank, unranked, injected, selected.size() - injected, uninjectedByCause);
    }

    /** Not finished: a pod that has succeeded or failed no longer matters to injection. */
    private static boolean active(Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        return !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    /** Whether the pod carries the probe sidecar (as a container or a native sidecar). */
    public static boolean hasSidecar(Pod p) {
        if (p.getSpec() == null) {
            return false;
        }
        return Stream.concat(
                        p.getSpec().getContainers() == null ? Stream.<Container>empty() : p.getSpec().getContainers().stream(),
                        p.getSpec().getInitContainers() == null ? Stream.<Container>empty() : p.getSpec().getInitContainers().stream())
                .anyMatch(c -> LandscapeProbe.SIDECAR_CONTAINER.equals(c.getName()));
    }
}
