package dev.landscape.operator.webhook;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.util.List;
import java.util.Map;

/**
 * How many GPUs the scheduler needs free on a node for a pod: the effective request of the Kubernetes resource model
 * with native sidecars (KEP-753) — regular containers plus restartable init containers (sidecars) run together,
 * and each ordinary init container runs alone beside the sidecars declared before it; the pod needs the larger.
 * An extended resource's request is its limit when only the limit is set.
 */
final class PodGpus {

    private PodGpus() {
    }

    static long effectiveRequest(Pod pod) {
        long sidecars = 0;
        long initPeak = 0;
        for (Container c : orEmpty(pod.getSpec().getInitContainers())) {
            if ("Always".equals(c.getRestartPolicy())) {
                sidecars += gpus(c);
            } else {
                initPeak = Math.max(initPeak, gpus(c) + sidecars);
            }
        }
        long running = sidecars;
        for (Container c : orEmpty(pod.getSpec().getContainers())) {
            running += gpus(c);
        }
        return Math.max(running, initPeak);
    }

    private static long gpus(Container c) {
        ResourceRequirements r = c.getResources();
        if (r == null) {
            return 0;
        }
        Quantity q = pick(r.getRequests());
        if (q == null) {
            q = pick(r.getLimits());
        }
        return q == null ? 0 : q.getNumericalAmount().longValue();
    }

    private static Quantity pick(Map<String, Quantity> map) {
        return map == null ? null : map.get(GpuPlacement.NVIDIA_GPU);
    }

    private static List<Container> orEmpty(List<Container> list) {
        return list == null ? List.of() : list;
    }
}
