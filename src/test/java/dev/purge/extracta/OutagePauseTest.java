package dev.purge.extracta;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** After N rows in a row fail for an outage, sending pauses instead of dead-lettering the rest of the file. */
class OutagePauseTest {

    /** Answers 503 to the first requests it receives, then success: an outage that ends. */
    static final class OutageThenRecovery implements ResponseDefinitionTransformerV2 {
        private final AtomicInteger seen = new AtomicInteger();
        private final int failing;

        OutageThenRecovery(int failing) {
            this.failing = failing;
        }

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            boolean down = seen.incrementAndGet() <= failing;
            return ResponseDefinitionBuilder.like(serveEvent.getResponseDefinition()).but()
                    .withStatus(down ? 503 : 200).withHeader("Content-Type", "application/json")
                    .withBody(down ? "{\"status\":\"error\",\"message\":\"Service unavailable\"}"
                            : "{\"status\":\"success\",\"message\":\"Batch deleted\"}")
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

    @Test
    void pausesAfterConsecutiveOutageFailuresAndResumesWithoutDeadLetteringTheRest() throws Exception {
        try (LogCapture logs = LogCapture.capture();
             TestApp app = TestApp.start("outage", Map.of(
                     "extracta.concurrency", "1",
                     "extracta.retry.max-attempts", "2",
                     "extracta.retry.initial-delay", "20",
                     "extracta.circuit.failure-threshold", "3",
                     "extracta.circuit.open-duration", "1500"),
                     WireMockConfiguration.options().extensions(new OutageThenRecovery(8)))) {
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                    .willReturn(aResponse().withTransformers("outage-then-recovery")));
            StringBuilder csv = new StringBuilder("classificationId,batchId\n");
            for (int i = 1; i <= 10; i++) {
                csv.append("c1,o").append(i).append('\n');
            }
            app.drop("outage.csv", csv.toString());
            JsonNode report = app.awaitReport("outage.csv");

            // three rows failed while the breaker was closed: dead-lettered; then it opened (which three depends on
            // how the rows interleave: one request is on the wire at a time, but a row waiting out its backoff lets
            // the next one go)
            List<JsonNode> records = app.deadLetters("outage.csv");
            assertThat(records).hasSize(3).extracting(r -> r.get("batchId").asText()).doesNotHaveDuplicates()
                    .allSatisfy(batch -> assertThat(batch).isIn("o1", "o2", "o3", "o4"));
            assertThat(records).allSatisfy(r -> assertThat(r.get("reason").asText()).isEqualTo("SERVER_ERROR"));
            // row 4 failed its trial once more, waited, then went through with every later row
            assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(7);
            assertThat(report.get("outcomes").get("SERVER_ERROR").asLong()).isEqualTo(3);

            long[] arrivals = app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).stream()
                    .mapToLong(r -> r.getLoggedDate().getTime()).sorted().toArray();
            assertThat(arrivals).hasSize(8 + 7);
            assertThat(arrivals[6] - arrivals[5]).as("first pause (ms)").isGreaterThanOrEqualTo(1400);
            assertThat(arrivals[8] - arrivals[7]).as("second pause after the failed trial (ms)")
                    .isGreaterThanOrEqualTo(1400);
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN API outage"));
            assertThat(logs.lines()).anyMatch(l -> l.contains("HALF_OPEN -> CLOSED: sending resumes"));
        }
    }

    @Test
    void withSeveralRowsInFlightNothingIsSentDuringThePause() throws Exception {
        try (LogCapture logs = LogCapture.capture();
             TestApp app = TestApp.start("outage-parallel", Map.of(
                     "extracta.concurrency", "4",
                     "extracta.retry.max-attempts", "3",
                     "extracta.retry.initial-delay", "20",
                     "extracta.circuit.failure-threshold", "3",
                     "extracta.circuit.open-duration", "1500"),
                     WireMockConfiguration.options().extensions(new OutageThenRecovery(16)))) {
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                    .willReturn(aResponse().withTransformers("outage-then-recovery").withFixedDelay(20)));
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
            long duringPause = java.util.Arrays.stream(arrivals).filter(t -> t > opened + 200 && t < opened + 1400)
                    .count();
            assertThat(duringPause).as("requests that arrived during the pause").isZero();
            long deleted = report.get("outcomes").get("DELETED").asLong();
            long deadLettered = report.get("outcomes").get("SERVER_ERROR").asLong();
            assertThat(deleted + deadLettered).isEqualTo(20);
            // only rows that failed while the breaker was still closed are dead-lettered
            assertThat(deadLettered).isBetween(3L, 3L + 3);
            assertThat(app.deadLetters("outage-parallel.csv")).hasSize((int) deadLettered);
        }
    }
}
