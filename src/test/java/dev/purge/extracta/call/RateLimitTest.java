package dev.purge.extracta.call;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.purge.extracta.run.RowContext;
import dev.purge.extracta.testsupport.TestApp;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;

/** extracta.rate-limit holds in every one-second window as the server sees requests arrive; a 429 pauses everyone. */
class RateLimitTest {

    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";

    @Test
    void neverMoreThanTheLimitInAnyOneSecondWindow() throws Exception {
        try (TestApp app = TestApp.start("rate-limit", Map.of("extracta.rate-limit", "10",
                "extracta.concurrency", "4"))) {
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(200, SUCCESS)));
            StringBuilder csv = new StringBuilder("classificationId,batchId\n");
            for (int i = 0; i < 35; i++) {
                csv.append("c1,r").append(i).append('\n');
            }
            app.drop("limited.csv", csv.toString());
            JsonNode report = app.awaitReport("limited.csv");
            assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(35);

            long[] arrivals = app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).stream()
                    .mapToLong(r -> r.getLoggedDate().getTime()).sorted().toArray();
            int busiest = busiest(arrivals);
            assertThat(arrivals).hasSize(35);
            assertThat(busiest).as("most requests in any one-second window").isLessThanOrEqualTo(10);
            assertThat(busiest).as("the limit is used, not just undercut").isGreaterThanOrEqualTo(8);
        }
    }

    /**
     * A request held up between its permit and the wire (a busy CPU, a pause) must not arrive next to the requests
     * that took the permits after it: the row "late" waits after the gate until two later rows passed the gate too
     * (or 10 s, a ceiling for the fixed gate, under which later rows cannot pass while it holds its permit).
     */
    @Test
    void aRequestDelayedAfterItsPermitStillCountsInItsWindow() throws Exception {
        try (TestApp app = TestApp.start("rate-limit-late", Map.of("extracta.rate-limit", "2",
                "extracta.concurrency", "4"))) {
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(200, SUCCESS)));
            CountDownLatch laterRowsPassed = new CountDownLatch(2);
            AtomicBoolean latePassed = new AtomicBoolean();
            AdviceWith.adviceWith(app.camelContext(), "delete-batch", advice -> advice.weaveById("delete-send-gate")
                    .after().process(exchange -> {
                        if ("late".equals(RowContext.of(exchange).request().batchId())) {
                            latePassed.set(true);
                            laterRowsPassed.await(10, TimeUnit.SECONDS);
                        } else if (latePassed.get()) {
                            laterRowsPassed.countDown();
                        }
                    }));
            app.drop("late.csv", "classificationId,batchId\nc1,late\nc1,r1\nc1,r2\nc1,r3\nc1,r4\nc1,r5\n");
            JsonNode report = app.awaitReport("late.csv");
            assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(6);
            long[] arrivals = app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).stream()
                    .mapToLong(r -> r.getLoggedDate().getTime()).sorted().toArray();
            assertThat(arrivals).hasSize(6);
            assertThat(busiest(arrivals)).as("most requests in any one-second window").isLessThanOrEqualTo(2);
        }
    }

    private static int busiest(long[] sortedArrivals) {
        int busiest = 0;
        for (int i = 0; i < sortedArrivals.length; i++) {
            int inWindow = 0;
            for (int j = i; j < sortedArrivals.length && sortedArrivals[j] < sortedArrivals[i] + 1000; j++) {
                inWindow++;
            }
            busiest = Math.max(busiest, inWindow);
        }
        return busiest;
    }

    @Test
    void a429WithRetryAfterPausesAllSendingNotJustThatRow() throws Exception {
        // the rate limit is on (5/s): rows already waiting for a slot must not slip through the pause either
        try (TestApp app = TestApp.start("rate-limit-pause", Map.of("extracta.concurrency", "4",
                "extracta.rate-limit", "5"))) {
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(10)
                    .willReturn(json(200, SUCCESS).withFixedDelay(50)));
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1)
                    .withRequestBody(matchingJsonPath("$.batchId", equalTo("p3")))
                    .inScenario("slow down").whenScenarioStateIs(STARTED)
                    .willReturn(json(429, "{\"status\":\"error\",\"message\":\"Too many requests\"}")
                            .withHeader("Retry-After", "2").withFixedDelay(50))
                    .willSetStateTo("ok"));
            StringBuilder csv = new StringBuilder("classificationId,batchId\n");
            for (int i = 1; i <= 12; i++) {
                csv.append("c1,p").append(i).append('\n');
            }
            app.drop("paused.csv", csv.toString());
            JsonNode report = app.awaitReport("paused.csv");
            assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(12);

            List<LoggedRequest> all = app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH)));
            long first429 = all.stream().filter(r -> r.getBodyAsString().contains("\"p3\""))
                    .mapToLong(r -> r.getLoggedDate().getTime()).min().orElseThrow();
            long arrivalsDuringPause = all.stream().mapToLong(r -> r.getLoggedDate().getTime())
                    .filter(t -> t >= first429 + 300 && t < first429 + 1950).count();
            assertThat(arrivalsDuringPause).as("requests that arrived while everyone should wait").isZero();
            assertThat(all.size()).isEqualTo(13);
        }
    }
}
