package dev.purge.extracta.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.purge.extracta.testsupport.TestApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Dry-run reads, validates and reports what would be sent, and sends nothing. */
class DryRunTest {

    static TestApp app;

    @BeforeAll
    static void start() throws Exception {
        // no API key at all: dry-run must not need one
        app = TestApp.start("dry-run", Map.of("extracta.dry-run", "true", "extracta.api-key", ""));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void sendsNothingAndReportsWhatWouldBeSent() throws Exception {
        app.drop("plan.csv", "classificationId,batchId\nc1,b1\nc1,\"bad id\"\nc1,b2\nc1,b1\n");
        Path report = app.dataDir.resolve("reports").resolve("plan.csv.report.json");
        org.awaitility.Awaitility.await().atMost(TestApp.TIMEOUT).until(() -> Files.exists(report));
        JsonNode json = new ObjectMapper().readTree(report.toFile());

        assertThat(app.wireMock.getAllServeEvents().size()).isZero();
        assertThat(json.get("status").asText()).isEqualTo("DRY_RUN");
        assertThat(json.get("dryRun").asBoolean()).isTrue();
        assertThat(json.get("outcomes").get("WOULD_DELETE").asLong()).isEqualTo(2);
        assertThat(json.get("outcomes").get("INVALID_INPUT").asLong()).isEqualTo(1);
        assertThat(json.get("outcomes").get("DUPLICATE").asLong()).isEqualTo(1);
        assertThat(json.get("outcomes").get("DELETED").asLong()).isZero();

        List<String> plan = Files.readAllLines(app.dataDir.resolve("reports").resolve("plan.csv.dry-run.jsonl"),
                StandardCharsets.UTF_8);
        assertThat(plan).hasSize(3);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode first = mapper.readTree(plan.stream().filter(l -> l.contains("\"line\":2")).findFirst().orElseThrow());
        assertThat(first.get("method").asText()).isEqualTo("DELETE");
        assertThat(first.get("url").asText())
                .isEqualTo("http://127.0.0.1:" + app.wireMock.port() + TestApp.DELETE_PATH);
        // the body exactly as it would go over the wire
        assertThat(mapper.writeValueAsString(first.get("body"))).isEqualTo("{\"classificationId\":\"c1\",\"batchId\":\"b1\"}");
        JsonNode invalid = mapper.readTree(plan.stream().filter(l -> l.contains("\"line\":3")).findFirst().orElseThrow());
        assertThat(invalid.get("reason").asText()).isEqualTo("INVALID_INPUT");
        assertThat(invalid.get("message").asText()).contains("whitespace");
        // nothing is dead-lettered and the file stays in the inbox
        assertThat(app.dataDir.resolve("deadletter")).doesNotExist();
        assertThat(app.inbox().resolve("plan.csv")).exists();
    }
}
