package dev.landscape.operator.rank;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * How many pods each replicated job of a JobSet runs, in the JobSet's order: what a pod's labels do not say and
 * its global rank needs. JobSet numbers jobs across replicated jobs in spec order ({@code job-global-index}); a
 * Job's pods are numbered by completion index, {@code completions} of them (else {@code parallelism}, else 1).
 *
 * @param replicatedJobs in {@code spec.replicatedJobs} order
 */
public record JobSetShape(List<ReplicatedJob> replicatedJobs) {

    /** One entry of {@code spec.replicatedJobs}. */
    public record ReplicatedJob(String name, int replicas, int podsPerJob) {
    }

    /** The shape of a JobSet object's {@code spec} (as a JSON map); unreadable fields count as their defaults. */
    @SuppressWarnings("unchecked")
    public static JobSetShape of(Map<String, Object> spec) {
        List<ReplicatedJob> jobs = new ArrayList<>();
        Object list = spec == null ? null : spec.get("replicatedJobs");
        if (list instanceof List<?> entries) {
            for (Object e : entries) {
                if (e instanceof Map<?, ?> rj) {
                    Map<String, Object> jobSpec = path((Map<String, Object>) rj, "template", "spec");
                    int pods = number(jobSpec.get("completions"), number(jobSpec.get("parallelism"), 1));
                    jobs.add(new ReplicatedJob(String.valueOf(rj.get("name")), number(rj.get("replicas"), 1), pods));
                }
            }
        }
        return new JobSetShape(List.copyOf(jobs));
    }

    /** The global rank of completion index {@code completion} of job {@code jobIndex} of {@code replicatedJob}. */
    public OptionalInt rank(String replicatedJob, int jobIndex, int completion) {
        int offset = 0;
        for (ReplicatedJob rj : replicatedJobs) {
            if (rj.name().equals(replicatedJob)) {
                if (jobIndex >= rj.replicas() || completion >= rj.podsPerJob()) {
                    return OptionalInt.empty();
                }
                return OptionalInt.of(offset + jobIndex * rj.podsPerJob() + completion);
            }
            offset += rj.replicas() * rj.podsPerJob();
        }
        return OptionalInt.empty();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> path(Map<String, Object> map, String... keys) {
        Map<String, Object> at = map;
        for (String k : keys) {
            Object next = at.get(k);
            if (!(next instanceof Map<?, ?>)) {
                return Map.of();
            }
            at = (Map<String, Object>) next;
        }
        return at;
    }

    private static int number(Object value, int otherwise) {
        return value instanceof Number n ? n.intValue() : otherwise;
    }
}
