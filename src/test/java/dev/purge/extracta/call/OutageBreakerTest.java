package dev.purge.extracta.call;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.purge.extracta.run.Outcome;
import dev.purge.extracta.secret.ExtractaCredentials;
import dev.purge.extracta.testsupport.TestApp;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;

/** The outage pause's probe, without an application around it. */
class OutageBreakerTest {

    @Test
    void aProbeInterruptedOnItsWayCountsAsFailedSoAnotherProbeFollowsAndEndsThePause() throws Exception {
        WireMockServer api = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        api.start();
        try {
            api.stubFor(get(urlEqualTo("/credits")).willReturn(aResponse().withStatus(200).withFixedDelay(500)
                    .withBody("{\"credits\":1}")));
            ExtractaCredentials credentials = new ExtractaCredentials();
            credentials.setApiKey("probe-test-key");
            OutageBreaker breaker = new OutageBreaker();
            breaker.setFailureThreshold(1);
            breaker.setOpenDuration(300);
            breaker.setBaseUrl(api.baseUrl());
            breaker.setCredentials(credentials);
            breaker.record(Outcome.SERVER_ERROR);
            assertThat(breaker.isPaused()).isTrue();

            // without a Camel context the probe runs on the thread that moves the breaker to HALF_OPEN: this one,
            // interrupted (as a stop or a pool's shutdownNow interrupts the prober)
            Thread.currentThread().interrupt();
            try {
                breaker.breaker().transitionToHalfOpenState();
            } finally {
                Thread.interrupted();
            }
            assertThat(breaker.breaker().getState()).as("not stuck half-open with no probe to come")
                    .isEqualTo(CircuitBreaker.State.OPEN);

            await().atMost(TestApp.TIMEOUT).until(() -> !breaker.isPaused());
            assertThat(api.findAll(getRequestedFor(urlEqualTo("/credits")))).isNotEmpty();
        } finally {
            api.stop();
        }
    }
}
