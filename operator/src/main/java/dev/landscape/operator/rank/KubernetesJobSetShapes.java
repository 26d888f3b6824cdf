package dev.landscape.operator.rank;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JobSet shapes read from the API server ({@code jobset.x-k8s.io/v1alpha2}) and kept for ten minutes: all pods of a
 * JobSet share one read, so a 512-pod JobSet costs the webhook one GET (on the admission's thread, for its first
 * pod whose rank needs it). A JobSet that cannot be read is asked for again after 30 s. The replicated jobs of a
 * JobSet cannot change after creation, so a cached shape does not go stale.
 */
@Singleton
public class KubernetesJobSetShapes implements JobSetShapes {

    private static final Logger LOG = Logger.getLogger(KubernetesJobSetShapes.class);
    static final ResourceDefinitionContext JOBSET = new ResourceDefinitionContext.Builder()
            .withGroup("jobset.x-k8s.io").withVersion("v1alpha2").withKind("JobSet").withPlural("jobsets").withNamespaced(true)
            .build();
    private static final Duration KEEP = Duration.ofMinutes(10);
    private static final Duration RETRY = Duration.ofSeconds(30);
    private static final int MAX_ENTRIES = 4096;

    private record Entry(Optional<JobSetShape> shape, Instant until) {
    }

    private final KubernetesClient client;
    private final Clock clock;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    @Inject
    public KubernetesJobSetShapes(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Optional<JobSetShape> find(String namespace, String name) {
        Instant now = clock.instant();
        String key = namespace + "/" + name;
        Entry cached = cache.get(key);
        if (cached != null && now.isBefore(cached.until())) {
            return cached.shape();
        }
        Optional<JobSetShape> shape;
        try {
            GenericKubernetesResource jobSet = client.genericKubernetesResources(JOBSET).inNamespace(namespace).withName(name).get();
            Object spec = jobSet == null ? null : jobSet.getAdditionalProperties().get("spec");
            shape = spec instanceof Map<?, ?> m ? Optional.of(JobSetShape.of((Map<String, Object>) m)) : Optional.empty();
        } catch (RuntimeException e) {
            LOG.debugf("cannot read JobSet %s (%s); ranks that need its shape stay unknown", key, e.getMessage());
            shape = Optional.empty();
        }
        if (cache.size() >= MAX_ENTRIES) {
            cache.entrySet().removeIf(e -> !now.isBefore(e.getValue().until()));
            if (cache.size() >= MAX_ENTRIES) {
                cache.clear();
            }
        }
        cache.put(key, new Entry(shape, now.plus(shape.isPresent() ? KEEP : RETRY)));
        return shape;
    }
}
