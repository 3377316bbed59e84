package dev.purge.extracta.call;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.purge.extracta.testsupport.TestApp;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** extracta.concurrency caps the requests in flight, as the server sees them. */
class ConcurrencyTest {

    static TestApp app;
    static final AtomicInteger inFlight = new AtomicInteger();
    static final AtomicInteger maxInFlight = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        app = TestApp.start("concurrency", Map.of("extracta.concurrency", "3"),
                WireMockConfiguration.options().extensions(new InFlightCounter()));
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                .willReturn(json(200, "{\"status\":\"success\",\"message\":\"Batch deleted\"}").withFixedDelay(50)));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void neverMoreRequestsInFlightThanConfigured() throws Exception {
        StringBuilder csv = new StringBuilder("classificationId,batchId\n");
        for (int i = 0; i < 60; i++) {
            csv.append("c1,p").append(i).append('\n');
        }
        app.drop("parallel.csv", csv.toString());
        JsonNode report = app.awaitReport("parallel.csv");
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(60);
        assertThat(maxInFlight.get()).as("most requests in flight at once").isEqualTo(3);
    }

    /** Counts requests between their arrival and the end of their (delayed) response. */
    public static final class InFlightCounter implements ServeEventListener {
        @Override
        public void beforeMatch(ServeEvent serveEvent, Parameters parameters) {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
        }

        @Override
        public void afterComplete(ServeEvent serveEvent, Parameters parameters) {
            inFlight.decrementAndGet();
        }

        @Override
        public String getName() {
            return "in-flight-counter";
        }
    }
}
