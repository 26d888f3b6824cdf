package dev.landscape.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * A fixed-seed CountSketch of one tensor (or layer group): since CountSketch is linear, the Euclidean distance of
 * two ranks' sketches estimates the L2 distance of their tensors without moving the tensors.
 *
 * @param tensor name of the tensor (or group) sketched
 * @param seed   hash seed; sketches are comparable only with equal seed and width
 * @param norm   ‖x‖ of the tensor, for relative distances
 * @param values the sketch vector
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record TensorSketch(String tensor, Long seed, Double norm, List<Double> values) {

    public TensorSketch {
        values = values == null ? List.of() : List.copyOf(values);
    }
}
