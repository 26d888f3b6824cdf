package dev.landscape.operator.store;

import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.ProbeReport;
import dev.landscape.operator.crd.ProbeReportSpec;
import dev.landscape.operator.crd.ProbeReportStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads and writes a rank's {@link ProbeReport}, the durable per-rank history that report ingest (on any replica)
 * and the reconciler (on the leader) both update. Writes replace the status subresource with the resourceVersion
 * read, so two writers never lose each other's changes: a conflict re-reads and re-applies the mutation, a
 * bounded number of times, without sleeping on the caller's thread.
 */
@ApplicationScoped
public class ProbeReportStore {

    static final int MAX_ATTEMPTS = 8;
    public static final String PROBE_LABEL = LandscapeProbe.LABEL;
    public static final String RANK_LABEL = "landscape.dev/rank";

    private final KubernetesClient client;

    @Inject
    public ProbeReportStore(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Applies {@code mutation} to the rank's report status, creating the report (owned by {@code probe}) first when
     * it does not exist. The mutation returns whether it changed anything; nothing is written when it did not.
     *
     * @return the report as stored afterwards (updated, or as read when the mutation changed nothing)
     * @throws KubernetesClientException when the API server keeps refusing or conflicting
     */
    public ProbeReport update(LandscapeProbe probe, int rank, Predicate<ProbeReportStatus> mutation) {
        return update(probe, rank, null, mutation);
    }

    /**
     * As {@link #update(LandscapeProbe, int, Predicate)}, trying {@code cached} (an informer's copy) first: when the
     * mutation changes nothing on it, no request is made at all; when it does, the write carries the cached
     * resourceVersion and only a conflict costs a fresh read. The reconciler calls this for every rank on every
     * pass, so the common "nothing new" case must be free.
     */
    public ProbeReport update(LandscapeProbe probe, int rank, ProbeReport cached, Predicate<ProbeReportStatus> mutation) {
        String namespace = probe.getMetadata().getNamespace();
        String name = ProbeReport.nameFor(probe.getMetadata().getName(), rank);
        if (cached != null) {
            ProbeReport copy = client.getKubernetesSerialization().clone(cached);
            if (copy.getStatus() == null) {
                copy.setStatus(new ProbeReportStatus());
            }
            if (!mutation.test(copy.getStatus())) {
                return cached;
            }
            try {
                return client.resources(ProbeReport.class).inNamespace(namespace).resource(copy).updateStatus();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 && e.getCode() != 404) {
                    throw e;
                }
            }
        }
        KubernetesClientException last = null;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            ProbeReport current = client.resources(ProbeReport.class).inNamespace(namespace).withName(name).get();
            if (current == null) {
                current = createQuietly(probe, rank, name);
            }
            if (current.getStatus() == null) {
                current.setStatus(new ProbeReportStatus());
            }
            if (!mutation.test(current.getStatus())) {
                return current;
            }
            try {
                return client.resources(ProbeReport.class).inNamespace(namespace).resource(current).updateStatus();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                last = e;
            }
        }
        throw new KubernetesClientException("ProbeReport " + namespace + "/" + name + " kept changing under "
                + MAX_ATTEMPTS + " attempts to update it", last);
    }

    private ProbeReport createQuietly(LandscapeProbe probe, int rank, String name) {
        ProbeReport report = new ProbeReport();
        report.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(probe.getMetadata().getNamespace())
                .withLabels(Map.of(PROBE_LABEL, probe.getMetadata().getName(), RANK_LABEL, Integer.toString(rank)))
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion(probe.getApiVersion())
                        .withKind(probe.getKind())
                        .withName(probe.getMetadata().getName())
                        .withUid(probe.getMetadata().getUid())
                        .withController(true)
                        .withBlockOwnerDeletion(false)
                        .build())
                .build());
        ProbeReportSpec spec = new ProbeReportSpec();
        spec.setProbe(probe.getMetadata().getName());
        spec.setRank(rank);
        report.setSpec(spec);
        try {
            return client.resources(ProbeReport.class).inNamespace(probe.getMetadata().getNamespace()).resource(report).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            return client.resources(ProbeReport.class).inNamespace(probe.getMetadata().getNamespace()).withName(name).get();
        }
    }
}
