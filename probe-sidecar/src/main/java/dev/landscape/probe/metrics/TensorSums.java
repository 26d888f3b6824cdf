package dev.landscape.probe.metrics;

/** Running sums for one tensor (or, merged, one layer) during a streaming pass; turned into {@link GroupMetrics}. */
final class TensorSums {
    long nonFinite;
    double paramSq;
    double prevParamSq;
    double updateSq;
    boolean hasUpdate;
    double firstMomentSq;
    boolean hasFirstMoment;
    double fisher;
    boolean hasFisher;

    void merge(TensorSums o) {
        nonFinite += o.nonFinite;
        paramSq += o.paramSq;
        prevParamSq += o.prevParamSq;
        updateSq += o.updateSq;
        hasUpdate |= o.hasUpdate;
        firstMomentSq += o.firstMomentSq;
        hasFirstMoment |= o.hasFirstMoment;
        fisher += o.fisher;
        hasFisher |= o.hasFisher;
    }

    GroupMetrics toMetrics(double totalFisher) {
        double update = hasUpdate ? Math.sqrt(updateSq) : Double.NaN;
        double m = hasFirstMoment ? Math.sqrt(firstMomentSq) : Double.NaN;
        double v = hasFisher ? fisher : Double.NaN;
        return new GroupMetrics(Math.sqrt(paramSq), update,
                hasUpdate && prevParamSq > 0 ? update / Math.sqrt(prevParamSq) : Double.NaN,
                m, v,
                hasFisher && totalFisher > 0 ? fisher / totalFisher : Double.NaN,
                hasFirstMoment && hasFisher && fisher > 0 ? firstMomentSq / fisher : Double.NaN,
                nonFinite);
    }
}
