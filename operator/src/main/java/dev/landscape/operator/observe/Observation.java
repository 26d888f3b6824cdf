package dev.landscape.operator.observe;

import dev.landscape.operator.crd.ProbeReport;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.List;
import java.util.Map;

/**
 * What the observer saw for one probe: its selected pods grouped by rank (newest pod of a rank last), its
 * ProbeReports by rank, and the pods it could not place.
 *
 * @param unranked   selected pods whose rank could not be determined (named in the Ready message)
 * @param injected   selected pods that carry the sidecar
 * @param uninjected selected pods without it
 * @param uninjectedByCause selected pods without it that have not finished, by why they have none
 */
public record Observation(Map<Integer, List<Pod>> podsByRank, Map<Integer, ProbeReport> reportsByRank,
                          List<String> unranked, int injected, int uninjected,
                          Map<UninjectedCause, Integer> uninjectedByCause) {

    public Observation {
        uninjectedByCause = Map.copyOf(uninjectedByCause);
    }
}
