package dev.landscape.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SeverityAndReasonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void severityTravelsInLowerCaseAndReadsBack() throws Exception {
        assertThat(JSON.writeValueAsString(Severity.CRITICAL)).isEqualTo("\"critical\"");
        assertThat(JSON.readValue("\"info\"", Severity.class)).isEqualTo(Severity.INFO);
    }

    @Test
    void onlyTheExactWireSpellingIsValidOnTheWireWhileParseForgivesCase() {
        assertThat(Severity.isWire("warning")).isTrue();
        assertThat(Severity.isWire("Warning")).isFalse();
        assertThat(Severity.parse(" Warning ")).isEqualTo(Severity.WARNING);
        assertThatThrownBy(() -> Severity.parse("fatal")).hasMessage("severity 'fatal' is not one of info, warning, critical");
    }

    @Test
    void severitiesAreOrderedSoTheWorstIsTheMaximum() {
        assertThat(Severity.CRITICAL).isGreaterThan(Severity.WARNING);
        assertThat(Severity.WARNING).isGreaterThan(Severity.INFO);
    }

    @Test
    void unreadableCheckpointIsAReasonTheOperatorDoesNotCorrelate() {
        assertThat(Reason.of("UnreadableCheckpoint")).contains(Reason.UnreadableCheckpoint);
        assertThat(Reason.FROM_SIDECAR).doesNotContain(Reason.UnreadableCheckpoint).contains(Reason.ClassLossDrift);
        assertThat(Reason.of("LossSpikes")).isEmpty();
    }

    @Test
    void curvatureUnavailableIsAnInfrastructureFindingTheOperatorCorrelatesButNeverJoinsToAFailure() {
        assertThat(Reason.of("CurvatureUnavailable")).contains(Reason.CurvatureUnavailable);
        assertThat(Reason.FROM_SIDECAR).contains(Reason.CurvatureUnavailable);
        assertThat(Reason.CurvatureUnavailable.family()).isEqualTo(Reason.Family.INFRASTRUCTURE);
        assertThat(Reason.ANOMALIES).doesNotContain(Reason.CurvatureUnavailable);
        assertThat(Reason.CurvatureUnavailable.remedy()).contains("spec.sidecar.resources", "modelParameters", "subsetParameters");
    }
}
