package dev.landscape.probe.checkpoint;

/**
 * A torch storage named by a pickle's persistent id: the key of its bytes ({@code data/<key>} in a zip, a position
 * in a legacy file), its element type and size. Legacy files may name a view of another storage; then
 * {@code elementOffset} is where the view starts inside the root storage {@code key}.
 */
record StorageRef(String key, DType dtype, long numel, long elementOffset) {

    long byteSize() {
        return Math.multiplyExact(numel, dtype.byteSize());
    }

    long byteOffset() {
        return Math.multiplyExact(elementOffset, dtype.byteSize());
    }
}
