package dev.landscape.operator.observe;

import dev.landscape.operator.config.ReconcileConfig;
import dev.landscape.operator.crd.LandscapeProbe;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pods a probe selects that the webhook never labelled with {@link LandscapeProbe#LABEL}: created before the
 * probe, while the webhook was unavailable, or opted out. The pod informer watches labelled pods only, so that the
 * operator's memory grows with the pods that matter rather than with the cluster; these few are read by a list with
 * the probe's own selector, at the probe's first reconcile and then at most once per interval, and kept in between.
 */
@ApplicationScoped
public class UnlabelledPodReader {

    private record Listing(Instant at, String selector, List<Pod> pods) {
    }

    private final KubernetesClient client;
    private final Duration interval;
    private final Map<ResourceID, Listing> listings = new ConcurrentHashMap<>();

    @Inject
    public UnlabelledPodReader(KubernetesClient client, ReconcileConfig config) {
        this.client = client;
        this.interval = config.podListInterval();
    }

    /** The probe's unlabelled selected pods as of the latest list, listing again when it is due or the selector changed. */
    public List<Pod> read(LandscapeProbe probe, Instant now) {
        ResourceID id = ResourceID.fromResource(probe);
        String selector = String.valueOf(probe.getSpec().getSelector());
        Listing last = listings.get(id);
        if (last == null || !last.selector().equals(selector) || !now.isBefore(last.at().plus(interval))) {
            List<Pod> unlabelled = client.pods().inNamespace(probe.getMetadata().getNamespace())
                    .withLabelSelector(probe.getSpec().getSelector())
                    .list().getItems().stream()
                    .filter(p -> p.getMetadata().getLabels() == null || !p.getMetadata().getLabels().containsKey(LandscapeProbe.LABEL))
                    .toList();
            last = new Listing(now, selector, unlabelled);
            listings.put(id, last);
            forgetDeletedProbes(now);
        }
        return last.pods();
    }

    /** Listings of probes not reconciled for three intervals (deleted ones) are dropped. */
    private void forgetDeletedProbes(Instant now) {
        Instant horizon = now.minus(interval.multipliedBy(3));
        listings.values().removeIf(l -> l.at().isBefore(horizon));
    }
}
