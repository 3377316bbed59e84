package dev.purge.extracta.call;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.purge.extracta.ops.StartupChecks;
import dev.purge.extracta.testsupport.LogCapture;
import dev.purge.extracta.testsupport.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TLS always verified, plain http only to loopback, the key from a secret file, the key masked everywhere. */
class TransportSecurityTest {

    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";

    @Test
    void plainHttpToAnotherHostIsRefused() {
        for (String url : List.of("http://api.extracta.ai/api/v1", "http://10.1.2.3/api/v1", "http://[fe80::1]/v1",
                "ftp://127.0.0.1/api")) {
            assertThatThrownBy(() -> StartupChecks.checkBaseUrl(url)).as(url)
                    .isInstanceOf(IllegalStateException.class);
        }
        for (String url : List.of("https://api.extracta.ai/api/v1", "http://localhost:8080/api/v1",
                "http://127.0.0.1:9/api", "http://127.1.2.3:9", "http://[::1]:8080/api")) {
            StartupChecks.checkBaseUrl(url);
        }
        assertThatThrownBy(() -> TestApp.start("http-remote", Map.of("extracta.base-url", "http://203.0.113.7/api")))
                .hasStackTraceContaining("plain http to 203.0.113.7");
    }

    @Test
    void theKeyComesFromASecretFileAndIsMaskedInLogsRouteDumpsAndTraces() throws Exception {
        Path secret = Files.createTempFile("extracta-key", ".txt");
        Files.writeString(secret, TestApp.API_KEY + "\n");
        try (LogCapture logs = LogCapture.capture();
             TestApp app = TestApp.start("key-file", Map.of(
                     "extracta.api-key", "",
                     "extracta.api-key-file", secret.toString(),
                     "camel.main.dump-routes", "yaml",
                     "camel.main.dump-routes-resolve-placeholders", "true",
                     "camel.main.tracing", "true"))) {
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(200, SUCCESS)));
            app.drop("from-file.csv", "classificationId,batchId\nc1,kf1\n");
            JsonNode report = app.awaitReport("from-file.csv");
            assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(1);
            app.wireMock.verify(1, deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                    .withHeader("Authorization", equalTo("Bearer " + TestApp.API_KEY)));
            assertThat(logs.lines()).as("the trace and the route dump were logged").anyMatch(l -> l.contains("kf1"));
            assertThat(logs.lines()).anyMatch(l -> l.contains("delete-batch"));
            assertThat(logs.lines()).noneMatch(l -> l.contains(TestApp.API_KEY));
        } finally {
            Files.deleteIfExists(secret);
        }
    }

    @Test
    void tlsIsVerified() throws Exception {
        // WireMock's HTTPS port presents a self-signed certificate: the call must fail, never be trusted
        WireMockConfiguration options = WireMockConfiguration.options().dynamicHttpsPort();
        com.github.tomakehurst.wiremock.WireMockServer https = new com.github.tomakehurst.wiremock.WireMockServer(
                options.bindAddress("127.0.0.1").dynamicPort());
        https.start();
        try (TestApp app = TestApp.start("tls", Map.of("extracta.retry.max-attempts", "1",
                "extracta.base-url", "https://localhost:" + https.httpsPort()))) {
            https.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(200, SUCCESS)));
            app.drop("tls.csv", "classificationId,batchId\nc1,tls1\n");
            app.awaitReport("tls.csv");
            List<JsonNode> records = app.deadLetters("tls.csv");
            assertThat(records).hasSize(1);
            assertThat(records.get(0).get("reason").asText()).isEqualTo("NETWORK");
            assertThat(records.get(0).get("message").asText()).containsIgnoringCase("SSL");
            assertThat(https.getAllServeEvents().size()).as("no request got past the handshake").isZero();
        } finally {
            https.stop();
        }
    }
}
