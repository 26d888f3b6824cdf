package dev.landscape.probe.curvature.onnx;

import dev.landscape.probe.curvature.HostTensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The fused transformer ops of opset 23, Attention and RotaryEmbedding, written out as the reference
 * implementation in the ONNX specification composes them (reshape to heads, scaled QK^T, mask, softmax, V; rotate
 * halves or interleaved pairs), from the same value operations as the unfused exports, so their gradients are
 * those of MatMul, Softmax, Gather and Slice. Without a KV cache: {@code past_key}/{@code past_value} and
 * {@code nonpad_kv_seqlen} are rejected (a checkpoint's eval batch is one full forward pass).
 */
final class AttentionOps {

    private AttentionOps() {
    }

    static void register(Map<String, OnnxOp> table) {
        table.put("Attention", AttentionOps::attention);
        table.put("RotaryEmbedding", AttentionOps::rotary);
    }

    /**
     * Y = softmax(softcap(Q sqrt(s) (K sqrt(s))^T) + bias) V with s = {@code scale} (default 1/sqrt(head size)).
     * 3-D inputs [B, S, heads * size] are split into {@code q_num_heads}/{@code kv_num_heads} heads; with fewer KV
     * heads each is repeated for its group of query heads. The bias is a boolean mask (false = -inf), an additive
     * float mask, and/or the causal mask (-inf above the diagonal).
     */
    private static void attention(OnnxNode n, TranslationContext c) {
        for (int i = 4; i <= 6; i++) {
            if (n.hasInput(i)) {
                throw n.unsupported("input #" + i + " (past_key, past_value, nonpad_kv_seqlen: a KV cache) is not supported");
            }
        }
        if (!n.output(3).isEmpty()) {
            throw n.unsupported("the qk_matmul_output output is not supported");
        }
        OnnxValue q = c.in(0);
        OnnxValue k = c.in(1);
        OnnxValue v = c.in(2);
        if (q.rank() != k.rank() || q.rank() != v.rank() || (q.rank() != 3 && q.rank() != 4)) {
            throw n.unsupported("Q, K, V must all be 3-D or all 4-D, got " + Arrays.toString(q.shape()) + ", "
                    + Arrays.toString(k.shape()) + ", " + Arrays.toString(v.shape()));
        }
        boolean flat = q.rank() == 3;
        if (flat) {
            long qHeads = n.intAttr("q_num_heads", 0);
            long kvHeads = n.intAttr("kv_num_heads", 0);
            if (qHeads <= 0 || kvHeads <= 0) {
                throw n.unsupported("3-D inputs need the q_num_heads and kv_num_heads attributes");
            }
            q = heads(c, q, qHeads);
            k = heads(c, k, kvHeads);
            v = heads(c, v, kvHeads);
        }
        OnnxValue presentKey = k;
        OnnxValue presentValue = v;
        long qHeads = q.shape()[1];
        long kvHeads = k.shape()[1];
        if (v.shape()[1] != kvHeads || qHeads % kvHeads != 0) {
            throw n.unsupported(qHeads + " query heads cannot share " + kvHeads + " key and " + v.shape()[1] + " value heads");
        }
        if (qHeads != kvHeads) {
            long[] idx = new long[(int) qHeads];
            for (int h = 0; h < idx.length; h++) {
                idx[h] = h / (qHeads / kvHeads);
            }
            k = ValueOps.gather(c, k, idx, new long[] {qHeads}, 1);
            v = ValueOps.gather(c, v, idx, new long[] {qHeads}, 1);
        }
        double scale = n.attribute("scale").isPresent() ? n.floatAttr("scale", 1) : 1 / Math.sqrt(q.shape()[3]);
        double root = Math.sqrt(scale);
        OnnxValue kt = ValueOps.transpose(c, ValueOps.scale(c, k, root), new int[] {0, 1, 3, 2});
        OnnxValue scores = LinearOps.matmul(c, ValueOps.scale(c, q, root), kt);
        double softcap = n.floatAttr("softcap", 0);
        if (softcap > 0) {
            scores = ValueOps.computed(c.sd.math.tanh(scores.var().div(softcap)).mul(softcap), scores.shape());
        }
        OnnxValue bias = bias(n, c, q.shape()[2], k.shape()[2]);
        if (bias != null) {
            scores = ValueOps.binary(c, ValueOps.Binary.ADD, scores, bias);
        }
        OnnxValue probs = ValueOps.computed(ElementwiseOps.softmax(c, scores.var(), 3, false), scores.shape());
        OnnxValue y = LinearOps.matmul(c, probs, v);
        if (flat) {
            OnnxValue t = ValueOps.transpose(c, y, new int[] {0, 2, 1, 3});
            long[] s = t.shape();
            y = ValueOps.reshape(c, t, new long[] {s[0], s[1], s[2] * s[3]});
        }
        c.out(0, y);
        c.out(1, presentKey);
        c.out(2, presentValue);
    }

    /** [B, S, heads * size] to [B, heads, S, size]. */
    private static OnnxValue heads(TranslationContext c, OnnxValue x, long heads) {
        long[] s = x.shape();
        if (s[2] % heads != 0) {
            throw c.node().unsupported("hidden size " + s[2] + " does not split into " + heads + " heads");
        }
        OnnxValue split = ValueOps.reshape(c, x, new long[] {s[0], s[1], heads, s[2] / heads});
        return ValueOps.transpose(c, split, new int[] {0, 2, 1, 3});
    }

    /** The additive bias from attn_mask and is_causal, or null when there is none. */
    private static OnnxValue bias(OnnxNode n, TranslationContext c, long qLen, long kvLen) {
        boolean causal = n.intAttr("is_causal", 0) != 0;
        OnnxValue mask = c.optIn(3).orElse(null);
        if (mask != null && mask.shape()[mask.rank() - 1] < kvLen) {
            if (!mask.isKnown()) {
                throw n.unsupported("a computed attn_mask shorter than the key sequence is not supported");
            }
            mask = ValueOps.known(c, padLast(mask.host(), kvLen));
        }
        if (mask != null && mask.isKnown() && mask.host().integral()) {
            mask = ValueOps.known(c, HostOps.map(mask.host(), b -> b != 0 ? 0 : Double.NEGATIVE_INFINITY, false));
        }
        if (!causal) {
            return mask;
        }
        double[] tri = new double[(int) (qLen * kvLen)];
        for (int i = 0; i < qLen; i++) {
            for (int j = 0; j < kvLen; j++) {
                tri[(int) (i * kvLen + j)] = j > i ? Double.NEGATIVE_INFINITY : 0;
            }
        }
        OnnxValue causalMask = ValueOps.known(c, new HostTensor(new long[] {qLen, kvLen}, tri, false));
        return mask == null ? causalMask : ValueOps.binary(c, ValueOps.Binary.ADD, mask, causalMask);
    }

    /** A mask padded on its last axis to {@code len}: false for a boolean mask, -inf for a float one. */
    private static HostTensor padLast(HostTensor m, long len) {
        long[] s = m.shape();
        long[] padShape = s.clone();
        padShape[s.length - 1] = len - s[s.length - 1];
        double[] fill = new double[Math.toIntExact(HostTensor.numel(padShape))];
        Arrays.fill(fill, m.integral() ? 0 : Double.NEGATIVE_INFINITY);
        long[] out = s.clone();
        out[s.length - 1] = len;
        return HostOps.concat(List.of(m, new HostTensor(padShape, fill, m.integral())), s.length - 1, out);
    }

    /**
     * RotaryEmbedding: the first {@code rotary_embedding_dim} channels of each head (all by default) are rotated by
     * the angles of the token's position: cos/sin rows picked by {@code position_ids} (or given per token), halves
     * (x1, x2) or interleaved pairs rotated to (x1 cos - x2 sin, x1 sin + x2 cos).
     */
    private static void rotary(OnnxNode n, TranslationContext c) {
        OnnxValue x = c.in(0);
        if (x.rank() != 3 && x.rank() != 4) {
            throw n.unsupported("input must be 3-D [B, S, hidden] or 4-D [B, heads, S, size], got " + Arrays.toString(x.shape()));
        }
        boolean flat = x.rank() == 3;
        OnnxValue seq;
        if (flat) {
            long heads = n.intAttr("num_heads", 0);
            long[] s = x.shape();
            if (heads <= 0 || s[2] % heads != 0) {
                throw n.unsupported("3-D input needs num_heads dividing its hidden size " + s[2]);
            }
            seq = ValueOps.reshape(c, x, new long[] {s[0], s[1], heads, s[2] / heads});
        } else {
            seq = ValueOps.transpose(c, x, new int[] {0, 2, 1, 3});
        }
        long[] s = seq.shape();
        long size = s[3];
        long rot = n.intAttr("rotary_embedding_dim", 0) == 0 ? size : n.intAttr("rotary_embedding_dim", 0);
        if (rot % 2 != 0 || rot > size) {
            throw n.unsupported("rotary_embedding_dim " + rot + " must be even and at most the head size " + size);
        }
        long half = rot / 2;
        OnnxValue cos = angles(n, c, c.in(1), s, half);
        OnnxValue sin = angles(n, c, c.in(2), s, half);
        boolean interleaved = n.intAttr("interleaved", 0) != 0;
        OnnxValue x1 = lastAxis(c, seq, 0, interleaved ? 2 : 1, half);
        OnnxValue x2 = lastAxis(c, seq, interleaved ? 1 : half, interleaved ? 2 : 1, half);
        OnnxValue real = ValueOps.binary(c, ValueOps.Binary.SUB, ValueOps.binary(c, ValueOps.Binary.MUL, cos, x1),
                ValueOps.binary(c, ValueOps.Binary.MUL, sin, x2));
        OnnxValue imag = ValueOps.binary(c, ValueOps.Binary.ADD, ValueOps.binary(c, ValueOps.Binary.MUL, sin, x1),
                ValueOps.binary(c, ValueOps.Binary.MUL, cos, x2));
        OnnxValue rotated;
        if (interleaved) {
            long[] pair = {s[0], s[1], s[2], half, 1};
            OnnxValue both = ValueOps.concat(c, List.of(ValueOps.reshape(c, real, pair), ValueOps.reshape(c, imag, pair)), 4);
            rotated = ValueOps.reshape(c, both, new long[] {s[0], s[1], s[2], rot});
        } else {
            rotated = ValueOps.concat(c, List.of(real, imag), 3);
        }
        if (rot < size) {
            rotated = ValueOps.concat(c, List.of(rotated, lastAxis(c, seq, rot, 1, size - rot)), 3);
        }
        c.out(0, flat ? ValueOps.reshape(c, rotated, x.shape()) : ValueOps.transpose(c, rotated, new int[] {0, 2, 1, 3}));
    }

    /** cos or sin for every token, shaped [B, S, 1, half] to broadcast over the heads. */
    private static OnnxValue angles(OnnxNode n, TranslationContext c, OnnxValue cache, long[] seqShape, long half) {
        OnnxValue perToken = cache;
        if (n.hasInput(3)) {
            HostTensor pos = c.known(3, "position_ids");
            long rows = cache.shape()[0];
            long[] idx = pos.longs();
            for (long p : idx) {
                if (p < 0 || p >= rows) {
                    throw n.unsupported("position id " + p + " is outside the cache's " + rows + " rows");
                }
            }
            perToken = ValueOps.gather(c, cache, idx, pos.shape(), 0);
        }
        long[] want = {seqShape[0], seqShape[1], half};
        if (!Arrays.equals(perToken.shape(), want)) {
            throw n.unsupported("cos/sin per token have shape " + Arrays.toString(perToken.shape()) + ", expected "
                    + Arrays.toString(want));
        }
        return ValueOps.reshape(c, perToken, new long[] {seqShape[0], seqShape[1], 1, half});
    }

    private static OnnxValue lastAxis(TranslationContext c, OnnxValue v, long start, long step, long count) {
        int r = v.rank();
        long[] starts = new long[r];
        long[] steps = new long[r];
        long[] counts = v.shape();
        Arrays.fill(steps, 1);
        starts[r - 1] = start;
        steps[r - 1] = step;
        counts[r - 1] = count;
        return ValueOps.strided(c, v, starts, steps, counts);
    }
}
