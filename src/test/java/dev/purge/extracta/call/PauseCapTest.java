package dev.purge.extracta.call;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.forBatch;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.purge.extracta.ops.SendingReadinessCheck;
import dev.purge.extracta.testsupport.LogCapture;
import dev.purge.extracta.testsupport.TestApp;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hardening, pauses: a Retry-After (seconds or an HTTP date, however far) never holds sending longer than
 * extracta.retry.max-delay, the cap is said once with what the server asked for, and readiness is DOWN, saying when
 * sending resumes, while a pause lasts longer than extracta.readiness.pause-threshold.
 */
class PauseCapTest {

    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";

    @ParameterizedTest
    @ValueSource(strings = {"86400", "99999999999999999999", "HTTP-DATE"})
    void aRetryAfterFarBeyondTheMaxDelayIsCappedAndSaidOnce(String retryAfter) throws Exception {
        String header = "HTTP-DATE".equals(retryAfter)
                ? DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusDays(30))
                : retryAfter;
        try (LogCapture logs = LogCapture.capture();
             TestApp app = TestApp.start("pause-cap", Map.of("extracta.retry.max-delay", "1500",
                     "extracta.concurrency", "2"))) {
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(10).willReturn(json(200, SUCCESS)));
            app.wireMock.stubFor(forBatch("slow1").inScenario("slow").whenScenarioStateIs(STARTED)
                    .willReturn(json(429, "{\"status\":\"error\",\"message\":\"Too many requests\"}")
                            .withHeader("Retry-After", header))
                    .willSetStateTo("ok"));
            app.drop("capped.csv", "classificationId,batchId\nc1,slow1\nc1,other1\nc1,other2\nc1,other3\n");
            JsonNode report = app.awaitReport("capped.csv");
            assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(4);
            assertThat(logs.lines().stream().filter(l -> l.startsWith("WARN The API asked to wait")))
                    .singleElement().satisfies(l -> assertThat(l).contains("waiting 1500 ms instead")
                            .contains("(Retry-After: " + header.substring(0, Math.min(header.length(), 20))));
            assertThat(logs.lines()).anyMatch(l -> l.contains("all sending paused for 1500 ms"));
        }
    }

    @Test
    void readinessIsDownWithTheTimeSendingResumesWhileAPauseIsLong() throws Exception {
        try (TestApp app = TestApp.start("pause-ready", Map.of("extracta.retry.max-delay", "60000",
                "extracta.readiness.pause-threshold", "500", "extracta.concurrency", "1"))) {
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(10).willReturn(json(200, SUCCESS)));
            app.wireMock.stubFor(forBatch("held1").inScenario("held").whenScenarioStateIs(STARTED)
                    .willReturn(json(429, "{\"status\":\"error\"}").withHeader("Retry-After", "3"))
                    .willSetStateTo("ok"));
            SendingReadinessCheck readiness = app.camelContext().getRegistry()
                    .lookupByNameAndType("sendingReadiness", SendingReadinessCheck.class);
            assertThat(readiness.call().getState()).isEqualTo(HealthCheck.State.UP);
            app.drop("held.csv", "classificationId,batchId\nc1,held1\nc1,held2\n");

            await().atMost(TestApp.TIMEOUT).until(() -> readiness.call().getState() == HealthCheck.State.DOWN);
            HealthCheck.Result down = readiness.call();
            assertThat(down.getMessage()).hasValueSatisfying(m -> assertThat(m)
                    .startsWith("paused: the API asked to slow down (HTTP 429 with Retry-After); sending resumes at "));
            assertThat(down.getDetails()).containsKey("resumesAt");

            app.awaitReport("held.csv");
            assertThat(readiness.call().getState()).as("the pause is over").isEqualTo(HealthCheck.State.UP);
        }
    }
}
