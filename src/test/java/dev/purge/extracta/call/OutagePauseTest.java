package dev.purge.extracta.call;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.purge.extracta.testsupport.LogCapture;
import dev.purge.extracta.testsupport.TestApp;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * After N rows in a row fail for an outage, sending pauses instead of dead-lettering the rest of the file; GET /credits
 * (never a row) tells when the API is back; a row that keeps failing uses only its own attempts.
 */
class OutagePauseTest {

    private static final String DOWN = "{\"status\":\"error\",\"message\":\"Service unavailable\"}";
    private static final String DELETED = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";

    /**
     * The whole API is down from the first delete on (deletes and GET /credits answer 503) until it has answered
     * {@code failingProbes} probes with 503; then everything works. The preflight at start finds it up.
     */
    static final class OutageThenRecovery implements ResponseDefinitionTransformerV2 {
        private final AtomicBoolean started = new AtomicBoolean();
        private final AtomicInteger probesRefused = new AtomicInteger();
        private final int failingProbes;

        OutageThenRecovery(int failingProbes) {
            this.failingProbes = failingProbes;
        }

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            boolean probe = serveEvent.getRequest().getUrl().endsWith("/credits");
            boolean down;
            if (probe) {
                down = started.get() && probesRefused.get() < failingProbes;
                if (down) {
                    probesRefused.incrementAndGet();
                }
            } else {
                started.set(true);
                down = probesRefused.get() < failingProbes;
            }
            return ResponseDefinitionBuilder.like(serveEvent.getResponseDefinition()).but()
                    .withStatus(down ? 503 : 200).withHeader("Content-Type", "application/json")
                    .withBody(down ? DOWN : probe ? "{\"status\":\"ok\",\"credits\":10}" : DELETED)
                    .build();
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return "outage-then-recovery";
        }
    }

    private static TestApp outageApp(String name, int concurrency, int failingProbes) throws Exception {
        TestApp app = TestApp.start(name, Map.of(
                "extracta.concurrency", String.valueOf(concurrency),
                "extracta.retry.max-attempts", "2",
                "extracta.retry.initial-delay", "20",
                "extracta.circuit.failure-threshold", "3",
                "extracta.circuit.open-duration", "1500"),
                WireMockConfiguration.options().extensions(new OutageThenRecovery(failingProbes)));
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                .willReturn(aResponse().withTransformers("outage-then-recovery").withFixedDelay(10)));
        app.wireMock.stubFor(get("/credits").atPriority(1)
                .willReturn(aResponse().withTransformers("outage-then-recovery")));
        return app;
    }

    @Test
    void pausesAfterConsecutiveOutageFailuresAndResumesWhenTheProbeFindsTheApiBack() throws Exception {
        try (LogCapture logs = LogCapture.capture(); TestApp app = outageApp("outage", 1, 1)) {
            StringBuilder csv = new StringBuilder("classificationId,batchId\n");
            for (int i = 1; i <= 10; i++) {
                csv.append("c1,o").append(i).append('\n');
            }
            app.drop("outage.csv", csv.toString());
            JsonNode report = app.awaitReport("outage.csv");

            // three rows failed while sending was open: dead-lettered; then the pause (which three depends on how the
            // rows interleave: one request is on the wire at a time, but a row waiting out its backoff lets the next
            // one go)
            List<JsonNode> records = app.deadLetters("outage.csv");
            assertThat(records).hasSize(3).extracting(r -> r.get("batchId").asText()).doesNotHaveDuplicates()
                    .allSatisfy(batch -> assertThat(batch).isIn("o1", "o2", "o3", "o4"));
            assertThat(records).allSatisfy(r -> {
                assertThat(r.get("reason").asText()).isEqualTo("SERVER_ERROR");
                assertThat(r.get("mayHaveBeenDeleted").asBoolean()).as("a 503 proves nothing").isTrue();
            });
            assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(7);
            assertThat(report.get("outcomes").get("SERVER_ERROR").asLong()).isEqualTo(3);

            // no row was the trial: two probes (one refused, one answered), and no delete during the two pauses
            assertThat(app.wireMock.findAll(getRequestedFor(urlEqualTo("/credits"))).size()).isEqualTo(1 + 2);
            long[] arrivals = app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).stream()
                    .mapToLong(r -> r.getLoggedDate().getTime()).sorted().toArray();
            long longestGap = 0;
            for (int i = 1; i < arrivals.length; i++) {
                longestGap = Math.max(longestGap, arrivals[i] - arrivals[i - 1]);
            }
            assertThat(longestGap).as("two pauses of 1.5 s, no delete in between (ms)").isGreaterThanOrEqualTo(2 * 1400);
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN API outage:"));
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN API outage goes on: the probe failed again"));
            assertThat(logs.lines()).anyMatch(l -> l.contains("Outage pause over: the API answers again"));
        }
    }

    @Test
    void withSeveralRowsInFlightNothingIsSentDuringThePause() throws Exception {
        try (LogCapture logs = LogCapture.capture(); TestApp app = outageApp("outage-parallel", 4, 1)) {
            StringBuilder csv = new StringBuilder("classificationId,batchId\n");
            for (int i = 1; i <= 20; i++) {
                csv.append("c1,q").append(i).append('\n');
            }
            app.drop("outage-parallel.csv", csv.toString());
            JsonNode report = app.awaitReport("outage-parallel.csv");

            long opened = logs.firstTime("WARN API outage:");
            assertThat(opened).as("the outage was detected").isPositive();
            long[] arrivals = app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).stream()
                    .mapToLong(r -> r.getLoggedDate().getTime()).sorted().toArray();
            long duringPause = java.util.Arrays.stream(arrivals).filter(t -> t > opened + 200 && t < opened + 2900)
                    .count();
            assertThat(duringPause).as("requests that arrived during the pause").isZero();
            long deleted = report.get("outcomes").get("DELETED").asLong();
            long deadLettered = report.get("outcomes").get("SERVER_ERROR").asLong();
            assertThat(deleted + deadLettered).isEqualTo(20);
            // the rows that failed while sending was open, and the ones in flight when it paused that were out of
            // attempts; every other row waited and was deleted
            assertThat(deadLettered).isBetween(3L, 3L + 4);
            assertThat(app.deadLetters("outage-parallel.csv")).hasSize((int) deadLettered);
        }
    }

    /**
     * Rows that always fail (the API errs on these batches only) must not hold the healthy ones back: each uses its
     * own attempts and is dead-lettered; the probe, never one of them, ends the pause, and readiness is UP again.
     */
    @Test
    void aRowThatKeepsFailingIsDeadLetteredAndNeverStarvesTheOthers() throws Exception {
        try (TestApp app = TestApp.start("starvation", Map.of(
                "extracta.concurrency", "1",
                "extracta.retry.max-attempts", "3",
                "extracta.retry.initial-delay", "20",
                "extracta.circuit.failure-threshold", "2",
                "extracta.circuit.open-duration", "500"))) {
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(10)
                    .willReturn(DeleteBatchPipelineTest.json(200, DELETED)));
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1)
                    .withRequestBody(matchingJsonPath("$.batchId", com.github.tomakehurst.wiremock.client.WireMock
                            .matching("e500-.*")))
                    .willReturn(DeleteBatchPipelineTest.json(500, "{\"status\":\"error\",\"message\":\"Boom\"}")));
            StringBuilder csv = new StringBuilder("classificationId,batchId\nc1,e500-1\nc1,e500-2\n");
            for (int i = 1; i <= 6; i++) {
                csv.append("c1,ok-").append(i).append('\n');
            }
            app.drop("starve.csv", csv.toString());
            JsonNode report = app.awaitReport("starve.csv");

            assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(6);
            assertThat(report.get("outcomes").get("SERVER_ERROR").asLong()).isEqualTo(2);
            for (String batch : new String[] {"e500-1", "e500-2"}) {
                assertThat(app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                        .withRequestBody(matchingJsonPath("$.batchId", com.github.tomakehurst.wiremock.client.WireMock
                                .equalTo(batch)))))
                        .as("%s is sent exactly its 3 attempts, pause or not", batch).hasSize(3);
            }
            assertThat(app.deadLetters("starve.csv")).extracting(r -> r.get("batchId").asText())
                    .containsExactlyInAnyOrder("e500-1", "e500-2");
            OutageBreaker breaker = app.camelContext().getRegistry().lookupByNameAndType("outageBreaker",
                    OutageBreaker.class);
            assertThat(breaker.isPaused()).as("the pause ended: readiness is UP again").isFalse();
        }
    }
}
