package dev.purge.extracta.health;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.purge.extracta.run.AppendOnlyFile;
import dev.purge.extracta.testsupport.LogCapture;
import dev.purge.extracta.testsupport.SmallDisk;
import dev.purge.extracta.testsupport.TestApp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Hardening, a full disk for real (a small tmpfs; needs root, skipped elsewhere): the data folder fills up right after
 * the API deleted a batch. The delete counts, nothing waits on a claim it holds itself, the failure is said at once
 * and the file is set aside rather than read at every poll; once there is room again the file finishes, and nothing
 * is sent twice. Every record written is whole.
 */
class DiskFullTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The API deletes once (a second delete is 404), and the batch "fill" fills the disk as it is deleted. */
    static final class FillingApi implements ResponseDefinitionTransformerV2 {
        static SmallDisk disk;
        private final Set<String> deleted = ConcurrentHashMap.newKeySet();

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            try {
                JsonNode body = MAPPER.readTree(serveEvent.getRequest().getBodyAsString());
                String batch = body.get("batchId").asText();
                if (batch.startsWith("bad")) {
                    return answer(serveEvent, 400, "{\"status\":\"error\",\"message\":\"Invalid batch\"}");
                }
                if (!deleted.add(batch)) {
                    return answer(serveEvent, 404, "{\"status\":\"error\",\"message\":\"Batch not found\"}");
                }
                if (batch.startsWith("fill")) {
                    disk.fill();
                }
                return answer(serveEvent, 200, "{\"status\":\"success\",\"message\":\"Batch deleted\"}");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private static ResponseDefinition answer(ServeEvent event, int status, String body) {
            return ResponseDefinitionBuilder.like(event.getResponseDefinition()).but().withStatus(status)
                    .withHeader("Content-Type", "application/json").withBody(body).build();
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return "filling-api";
        }
    }

    @Test
    void theDiskFillsUpRightAfterADeleteAndTheFileFinishesOnceThereIsRoom() throws Exception {
        try (SmallDisk disk = SmallDisk.mount(2048)) {
            Assumptions.assumeTrue(disk != null, "mounting a tmpfs needs root");
            FillingApi.disk = disk;
            try (LogCapture logs = LogCapture.capture();
                 TestApp app = TestApp.startIn("disk-full", disk.root.resolve("data"), Map.of(
                         "extracta.concurrency", "1"), WireMockConfiguration.options().extensions(new FillingApi()))) {
                app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                        .willReturn(aResponse().withTransformers("filling-api")));
                StringBuilder csv = new StringBuilder("classificationId,batchId\nc1,a1\nc1,fill1\n");
                for (int i = 1; i <= 10; i++) {
                    csv.append("c1,b").append(i).append('\n');
                }
                csv.append("c1,bad1\n");
                app.drop("full.csv", csv.toString());

                // said at once, with the file named; the run stops instead of stalling on its own claims
                await().atMost(TestApp.TIMEOUT).until(() -> logs.lines().stream()
                        .anyMatch(l -> l.startsWith("ERROR Cannot write")));
                StateWrites writes = app.camelContext().getRegistry().lookupByNameAndType("stateWrites",
                        StateWrites.class);
                assertThat(writes.healthy()).as("readiness DOWN").isFalse();
                await().atMost(TestApp.TIMEOUT).until(() -> logs.lines().stream()
                        .anyMatch(l -> l.startsWith("INFO full.csv is taken up again in")));
                assertThat(app.inbox().resolve("full.csv")).as("stays in the inbox").exists();
                // set aside, not read at every poll
                await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() ->
                        starts(logs) == 1);

                disk.free();
                await().atMost(TestApp.TIMEOUT).until(() -> !Files.exists(app.inbox().resolve("full.csv")));
                JsonNode report = MAPPER.readTree(app.dataDir.resolve("reports/full.csv.report.json").toFile());
                assertThat(report.get("status").asText()).isEqualTo("DONE");
                Map<String, Integer> sent = new java.util.HashMap<>(TestApp.sentPerBatch(app.wireMock));
                // the refused row was not final while its record could not be written: sent again, refused again
                // (a 400 deletes nothing); every batch that was deleted was sent once, fill1 included
                assertThat(sent.remove("bad1")).isGreaterThanOrEqualTo(1);
                assertThat(sent).hasSize(12).allSatisfy((batch, n) -> assertThat(n).as(batch).isEqualTo(1));
                List<String> records = Files.readAllLines(app.dataDir.resolve("deadletter/full.csv.jsonl"));
                assertThat(records).hasSize(1);
                assertThat(MAPPER.readTree(records.get(0)).get("batchId").asText()).isEqualTo("bad1");
                await().atMost(TestApp.TIMEOUT).until(writes::healthy);
            }
        }
    }

    @Test
    void aRecordAppendedToAFullDiskIsWrittenWholeOrNotAtAll() throws Exception {
        try (SmallDisk disk = SmallDisk.mount(64)) {
            Assumptions.assumeTrue(disk != null, "mounting a tmpfs needs root");
            Path file = disk.root.resolve("records.jsonl");
            int written = 0;
            disk.fill();
            try (AppendOnlyFile out = AppendOnlyFile.open(file)) {
                for (; written < 10_000; written++) {
                    out.append("{\"n\":" + written + ",\"pad\":\"" + "p".repeat(300) + "\"}");
                }
            } catch (IOException full) {
                // the disk is full: the record that did not fit left nothing behind
            }
            byte[] bytes = Files.readAllBytes(file);
            assertThat(bytes.length == 0 || bytes[bytes.length - 1] == '\n').as("no torn record").isTrue();
            disk.free();
            try (AppendOnlyFile out = AppendOnlyFile.open(file)) {
                out.append("{\"n\":\"after\"}");
            }
            List<String> lines = Files.readAllLines(file);
            assertThat(lines).hasSize(written + 1);
            for (String line : lines) {
                MAPPER.readTree(line); // every line whole
            }
        }
    }

    private static long starts(LogCapture logs) {
        return logs.lines().stream().filter(l -> l.startsWith("INFO Started full.csv")
                || l.startsWith("INFO Resuming full.csv")).count();
    }
}
