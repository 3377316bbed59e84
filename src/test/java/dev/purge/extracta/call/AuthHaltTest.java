package dev.purge.extracta.call;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.purge.extracta.testsupport.LogCapture;
import dev.purge.extracta.testsupport.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A refused key stops everything, without a flood of dead letters, until a restart; and is caught before starting. */
class AuthHaltTest {

    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";

    @Test
    void a401HaltsSendingLeavesTheFilesAndResumesAfterARestart() throws Exception {
        try (LogCapture logs = LogCapture.capture();
             TestApp app = TestApp.start("auth-halt", Map.of("extracta.concurrency", "2"))) {
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(10)
                    .willReturn(json(200, SUCCESS).withFixedDelay(50)));
            // the key is revoked from row 5 on
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1)
                    .withRequestBody(matchingJsonPath("$.batchId", equalTo("k5")))
                    .willReturn(json(401, "{\"status\":\"error\",\"message\":\"Invalid API key\"}")));
            StringBuilder csv = new StringBuilder("classificationId,batchId\n");
            for (int i = 1; i <= 30; i++) {
                csv.append("c1,k").append(i).append('\n');
            }
            app.drop("revoked.csv", csv.toString());
            Path report = app.dataDir.resolve("reports").resolve("revoked.csv.report.json");
            await().atMost(TestApp.TIMEOUT).until(() -> Files.exists(report));
            JsonNode interrupted = new ObjectMapper().readTree(report.toFile());
            int sent = app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).size();

            assertThat(interrupted.get("status").asText()).isEqualTo("INTERRUPTED");
            assertThat(sent).as("stops at once: at most the requests already in flight are answered")
                    .isLessThanOrEqualTo(5 + 2);
            assertThat(app.deadLetters("revoked.csv")).as("no flood of UNAUTHORIZED records").isEmpty();
            assertThat(app.inbox().resolve("revoked.csv")).exists();
            assertThat(logs.lines()).filteredOn(l -> l.startsWith("ERROR") && l.contains("refused the API key"))
                    .hasSize(1);

            // halted until restart: a new file is not even taken
            app.drop("later.csv", "classificationId,batchId\nc1,later1\n");
            await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
                    .until(() -> Files.exists(app.inbox().resolve("later.csv")));
            assertThat(app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).size()).isEqualTo(sent);

            // the operator fixes the key and restarts: both files complete, k5 included, nothing sent twice
            app.wireMock.resetAll();
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(200, SUCCESS)));
            app.restart();
            JsonNode done = app.awaitReport("revoked.csv");
            assertThat(done.get("status").asText()).isEqualTo("DONE");
            assertThat(done.get("outcomes").get("DELETED").asLong()).isEqualTo(30);
            int resentRows = app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                    .withRequestBody(matchingJsonPath("$.batchId", com.github.tomakehurst.wiremock.client.WireMock
                            .matching("k[0-9]+")))).size();
            assertThat(resentRows).as("the second run sends only what the first did not finish (k5 included)")
                    .isEqualTo(30 - (sent - 1));
            assertThat(app.awaitReport("later.csv").get("outcomes").get("DELETED").asLong()).isEqualTo(1);
        }
    }

    @Test
    void aRefusedKeyStopsTheStartAndANetworkFailureDoesNot() throws Exception {
        WireMockServer api = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        api.start();
        try {
            api.stubFor(get(urlEqualTo("/credits")).willReturn(json(401, "{\"status\":\"error\"}")));
            assertThatThrownBy(() -> TestApp.start("preflight-refused",
                    Map.of("extracta.base-url", "http://127.0.0.1:" + api.port())).close())
                    .hasStackTraceContaining("refused the API key at GET /credits (HTTP 401)");
            api.verify(1, com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlEqualTo("/credits"))
                    .withHeader("Authorization", equalTo("Bearer " + TestApp.API_KEY)));
        } finally {
            api.stop();
        }
        // nothing listens on this port: a warning, not a refusal
        try (LogCapture logs = LogCapture.capture();
             TestApp app = TestApp.start("preflight-offline", Map.of("extracta.base-url", "http://127.0.0.1:9"))) {
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN Could not check the API key"));
        }
    }
}
