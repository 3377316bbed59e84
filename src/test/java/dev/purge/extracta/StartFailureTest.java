package dev.purge.extracta;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StartFailureTest {

    @Test
    void theReasonBelowCamelsOwnMessageIsSaid() {
        Exception e = new RuntimeException("Error pre-parsing resource: classpath:routes/beans.camel.yaml",
                new RuntimeException("Error creating bean: rowAdmit",
                        new IllegalStateException("Cannot create bean instance using factory method")));

        assertThat(ExtractaPurgeApplication.startFailure(e)).isEqualTo(
                "Error pre-parsing resource: classpath:routes/beans.camel.yaml"
                        + "; caused by RuntimeException: Error creating bean: rowAdmit"
                        + "; caused by IllegalStateException: Cannot create bean instance using factory method");
    }

    @Test
    void aFailureWithoutACauseIsItsMessageAlone() {
        assertThat(ExtractaPurgeApplication.startFailure(new IllegalArgumentException("extracta.concurrency must be a "
                + "whole number of at least 1"))).isEqualTo("extracta.concurrency must be a whole number of at least 1");
    }
}
