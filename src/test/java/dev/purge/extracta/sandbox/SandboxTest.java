package dev.purge.extracta.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The sandbox command: it starts, processes its sample against the emulator, gives the expected outcomes, stops. */
class SandboxTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void theSandboxDeletesTheSampleAndDeadLettersTheOneUnknownBatch() throws Exception {
        Path dataDir = Path.of("target", "test-data", "sandbox-" + System.nanoTime()).toAbsolutePath();

        int status = Sandbox.run(dataDir);

        assertThat(status).as("one row dead-lettered on purpose").isEqualTo(2);
        JsonNode report = MAPPER.readTree(dataDir.resolve("reports/sample.csv.report.json").toFile());
        assertThat(report.get("status").asText()).isEqualTo("DONE");
        assertThat(report.get("rowsRead").asInt()).isEqualTo(Sandbox.ROWS);
        assertThat(report.get("outcomes").get("DELETED").asInt()).isEqualTo(Sandbox.ROWS - 1);
        assertThat(report.get("outcomes").get("REJECTED").asInt()).isEqualTo(1);
        List<String> records = Files.readAllLines(dataDir.resolve("deadletter/sample.csv.jsonl"));
        assertThat(records).singleElement().satisfies(line -> {
            JsonNode record = MAPPER.readTree(line);
            assertThat(record.get("batchId").asText()).isEqualTo(Sandbox.UNKNOWN_BATCH);
            assertThat(record.get("httpStatus").asInt()).isEqualTo(404);
            assertThat(record.get("line").asInt()).isEqualTo(21);
        });
        assertThat(dataDir.resolve("inbox/sample.csv")).doesNotExist();
        try (Stream<Path> done = Files.list(dataDir.resolve("inbox/.done"))) {
            assertThat(done).hasSize(1);
        }

        // a second run starts from a fresh folder: the same outcomes, not "already deleted"
        assertThat(Sandbox.run(dataDir)).isEqualTo(2);
        assertThat(MAPPER.readTree(dataDir.resolve("reports/sample.csv.report.json").toFile())
                .get("outcomes").get("DELETED").asInt()).isEqualTo(Sandbox.ROWS - 1);
    }
}
