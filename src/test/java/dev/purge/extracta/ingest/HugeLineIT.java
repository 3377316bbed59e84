package dev.purge.extracta.ingest;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.testsupport.JarProcess;
import dev.purge.extracta.testsupport.TestApp;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hardening, line cap: a 40 MB line in a CSV file and in a JSON-lines file, in a 64 MB heap. Each is refused as its
 * own row (its line number and first characters in the record), the rows around it are sent, and memory stays bounded
 * by the cap, not by the line.
 */
class HugeLineIT {

    private static final int FORTY_MB = 40 * 1024 * 1024;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private WireMockServer api;
    private Path workDir;

    @BeforeEach
    void startApi() throws Exception {
        api = JarProcess.startApi();
        api.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                .willReturn(json(200, "{\"status\":\"success\",\"message\":\"Batch deleted\"}")));
        workDir = JarProcess.workDir("huge-line");
    }

    @AfterEach
    void stopApi() throws Exception {
        api.stop();
        try (var files = Files.walk(workDir.resolve("exports"))) {
            files.filter(Files::isRegularFile).forEach(f -> f.toFile().delete()); // 80 MB of test input
        }
    }

    private static Path write(Path file, String before, char filler, String after) throws Exception {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(before);
            char[] chunk = new char[1024 * 1024];
            java.util.Arrays.fill(chunk, filler);
            for (int i = 0; i < FORTY_MB / chunk.length; i++) {
                out.write(chunk);
            }
            out.write(after);
        }
        return file;
    }

    @Test
    void aFortyMegabyteLineIsItsRowsErrorInASixtyFourMegabyteHeap() throws Exception {
        Path exports = Files.createDirectories(workDir.resolve("exports"));
        Path csv = write(exports.resolve("huge.csv"), "classificationId,batchId\nc1,before1\nc1,", 'x',
                "\nc1,after1\n");
        Path jsonl = write(exports.resolve("huge.jsonl"),
                "{\"classificationId\":\"c1\",\"batchId\":\"before2\"}\n{\"classificationId\":\"c1\",\"batchId\":\"",
                'y', "\"}\n{\"classificationId\":\"c1\",\"batchId\":\"after2\"}\n");
        Path log = workDir.resolve("app.log");
        Process run = JarProcess.start(workDir, log, Map.of(
                "EXTRACTA_API_KEY", JarProcess.API_KEY,
                "EXTRACTA_BASE_URL", "http://127.0.0.1:" + api.port(),
                "EXTRACTA_RATE_LIMIT", "0"), List.of("-Xmx64m"), List.of("--once", csv.toString(), jsonl.toString()));
        boolean ended = run.waitFor(TestApp.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!ended) {
            run.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(ended).as("ends; output: %s", output.length() > 4000 ? output.substring(output.length() - 4000)
                : output).isTrue();
        assertThat(output).doesNotContain("OutOfMemoryError");
        assertThat(run.exitValue()).as("every file ran to its end, one row each dead-lettered").isEqualTo(2);

        List<String> sent = new ArrayList<>();
        for (var r : api.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH)))) {
            sent.add(MAPPER.readTree(r.getBodyAsString()).get("batchId").asText());
        }
        assertThat(sent).containsExactlyInAnyOrder("before1", "after1", "before2", "after2");
        JsonNode csvRecord = MAPPER.readTree(Files.readString(workDir.resolve("data/deadletter/huge.csv.jsonl")));
        assertThat(csvRecord.get("line").asLong()).isEqualTo(3);
        assertThat(csvRecord.get("reason").asText()).isEqualTo("INVALID_INPUT");
        assertThat(csvRecord.get("message").asText()).contains("line 3 is longer than 65536 characters");
        assertThat(csvRecord.get("raw").asText()).startsWith("c1,xxxx");
        JsonNode jsonRecord = MAPPER.readTree(Files.readString(workDir.resolve("data/deadletter/huge.jsonl.jsonl")));
        assertThat(jsonRecord.get("line").asLong()).isEqualTo(2);
        assertThat(jsonRecord.get("raw").asText()).startsWith("{\"classificationId\":\"c1\",\"batchId\":\"yyyy");
    }
}
