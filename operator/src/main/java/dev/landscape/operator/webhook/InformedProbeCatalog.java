package dev.landscape.operator.webhook;

import dev.landscape.operator.crd.LandscapeProbe;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Probes from an informer cache over all namespaces, so that an admission costs no API round-trip. Until the cache
 * has synced (operator start-up, or the CRD not installed yet) it lists the namespace directly: a pod created in
 * the first seconds after a restart is injected like any other.
 */
public final class InformedProbeCatalog implements ProbeCatalog, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(InformedProbeCatalog.class);

    private final KubernetesClient client;
    private final SharedIndexInformer<LandscapeProbe> informer;

    public InformedProbeCatalog(KubernetesClient client) {
        this.client = client;
        this.informer = client.resources(LandscapeProbe.class).inAnyNamespace().runnableInformer(0);
        // Keep retrying when the initial list fails (CRD not installed yet, API server restarting).
        informer.exceptionHandler((started, t) -> {
            LOG.debugf("LandscapeProbe informer: %s; retrying", t.getMessage());
            return true;
        });
    }

    public void start() {
        informer.start();
    }

    @Override
    public List<LandscapeProbe> probesIn(String namespace) {
        if (informer.hasSynced()) {
            return informer.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
        }
        return client.resources(LandscapeProbe.class).inNamespace(namespace).list().getItems();
    }

    /** Namespaces that hold at least one probe, from the cache (empty until it has synced). */
    public Set<String> namespaces() {
        Set<String> namespaces = new TreeSet<>();
        informer.getStore().list().forEach(p -> namespaces.add(p.getMetadata().getNamespace()));
        return namespaces;
    }

    /** Calls {@code listener} with the namespace of every probe the cache adds, those of the initial list included. */
    public void onProbeAdded(Consumer<String> listener) {
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(LandscapeProbe probe) {
                listener.accept(probe.getMetadata().getNamespace());
            }

            @Override
            public void onUpdate(LandscapeProbe before, LandscapeProbe after) {
            }

            @Override
            public void onDelete(LandscapeProbe probe, boolean unknownFinalState) {
            }
        });
    }

    /** Whether the cache answers (rather than a direct list); tests wait for it before timing or asserting. */
    public boolean synced() {
        return informer.hasSynced();
    }

    @Override
    public void close() {
        informer.close();
    }
}
