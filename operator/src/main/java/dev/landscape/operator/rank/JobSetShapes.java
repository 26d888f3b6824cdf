package dev.landscape.operator.rank;

import java.util.Optional;

/** Finds the shape of a JobSet by namespace and name; empty when it cannot be read (absent, no CRD, no RBAC). */
@FunctionalInterface
public interface JobSetShapes {

    /** For pods of no JobSet, or where JobSets cannot be read. */
    JobSetShapes NONE = (namespace, name) -> Optional.empty();

    Optional<JobSetShape> find(String namespace, String name);
}
