package dev.purge.extracta.call;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.purge.extracta.testsupport.LogCapture;
import dev.purge.extracta.testsupport.TestApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real routes and properties against WireMock on loopback: what goes over the wire for every CSV shape, and the
 * outcome, dead-letter record and request count for every answer the API may give.
 */
public class DeleteBatchPipelineTest {

    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";
    static TestApp app;

    @BeforeAll
    static void start() throws Exception {
        app = TestApp.start("pipeline", Map.of());
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @BeforeEach
    void resetServer() {
        app.wireMock.resetAll();
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(10).willReturn(json(200, SUCCESS)));
    }

    // --- what goes over the wire ------------------------------------------------------------------------------

    @Test
    void happyPathSendsOneExactDeletePerRowAndMovesTheFileToDone() throws Exception {
        app.drop("happy.csv", "classificationId,batchId\nc1,b1\nc1,b2\nc2,b3\n");
        JsonNode report = app.awaitReport("happy.csv");

        assertSentExactly(List.of(body("c1", "b1"), body("c1", "b2"), body("c2", "b3")));
        app.wireMock.verify(3, deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                .withHeader("Content-Type", equalTo("application/json"))
                .withHeader("Authorization", equalTo("Bearer " + TestApp.API_KEY)));
        assertThat(report.get("status").asText()).isEqualTo("DONE");
        assertThat(report.get("rowsRead").asLong()).isEqualTo(3);
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(3);
        assertThat(report.get("deadLetterFile").isNull()).isTrue();
        assertThat(report.get("startedAt").asText()).isNotBlank();
        assertThat(report.get("finishedAt").asText()).isNotBlank();
        assertThat(app.movedTo(".done", "happy.csv")).isPresent();
        assertThat(app.deadLetters("happy.csv")).isEmpty();
    }

    @Test
    void csvVariantsAllReadTheSamePairs() throws Exception {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] text = "classificationId,batchId\r\nv1,bom1\r\n".getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[bom.length + text.length];
        System.arraycopy(bom, 0, withBom, 0, bom.length);
        System.arraycopy(text, 0, withBom, bom.length, text.length);
        app.drop("bom-crlf.csv", withBom);
        app.drop("quoted.csv", "\"classificationId\",\"batchId\"\n\"v1\" , \"q1\"\n  v1  ,  q2  \n");
        app.drop("semicolon.csv", "classificationId;batchId\nv1;semi1\n");
        app.drop("swapped.csv", "BATCHID,notes,ClassificationId,extra\nswap1,\"a, b\",v1,x\n");
        app.drop("blank-lines.csv", "classificationId,batchId\n\n   \n , \nv1,blank1\n\n;\nv1,blank2\n");
        app.drop("headerless.csv", "v1,nohead1\nv1,nohead2\n");
        for (String name : List.of("bom-crlf.csv", "quoted.csv", "semicolon.csv", "swapped.csv", "blank-lines.csv",
                "headerless.csv")) {
            JsonNode report = app.awaitReport(name);
            assertThat(report.get("status").asText()).as(name).isEqualTo("DONE");
            assertThat(report.get("outcomes").get("INVALID_INPUT").asLong()).as(name).isZero();
        }
        assertSentExactly(List.of(body("v1", "bom1"), body("v1", "q1"), body("v1", "q2"), body("v1", "semi1"),
                body("v1", "swap1"), body("v1", "blank1"), body("v1", "blank2"), body("v1", "nohead1"),
                body("v1", "nohead2")));
    }

    @Test
    void headerOnlyFileIsDoneWithZeroRows() throws Exception {
        app.drop("header-only.csv", "classificationId,batchId\n");
        JsonNode report = app.awaitReport("header-only.csv");
        assertThat(report.get("status").asText()).isEqualTo("DONE");
        assertThat(report.get("rowsRead").asLong()).isZero();
        assertThat(app.movedTo(".done", "header-only.csv")).isPresent();
        assertThat(app.wireMock.getAllServeEvents().size()).isZero();
    }

    @Test
    void hiddenAndTemporaryFilesAreIgnored() throws Exception {
        Files.writeString(app.inbox().resolve(".hidden.csv"), "classificationId,batchId\nh,hidden1\n");
        Files.writeString(app.inbox().resolve("upload.csv.part"), "classificationId,batchId\nh,part1\n");
        Files.writeString(app.inbox().resolve("upload.csv.tmp"), "classificationId,batchId\nh,tmp1\n");
        app.drop("after-hidden.csv", "classificationId,batchId\nh,visible1\n");
        app.awaitReport("after-hidden.csv");
        // a later poll has run: the ignored files are still there, untouched, and none of their IDs was sent
        app.drop("after-hidden-2.csv", "classificationId,batchId\nh,visible2\n");
        app.awaitReport("after-hidden-2.csv");
        assertThat(app.inbox().resolve(".hidden.csv")).exists();
        assertThat(app.inbox().resolve("upload.csv.part")).exists();
        assertThat(app.inbox().resolve("upload.csv.tmp")).exists();
        assertSentExactly(List.of(body("h", "visible1"), body("h", "visible2")));
    }

    @Test
    void aFileStillBeingWrittenIsTakenOnlyWhenComplete() throws Exception {
        // the worst case: a slow copy that keeps an old modification time the whole time it writes
        Path file = app.inbox().resolve("slow-writer.csv");
        Files.writeString(file, "classificationId,batchId\n");
        FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
        Files.setLastModifiedTime(file, old);
        AtomicInteger written = new AtomicInteger();
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        try {
            writer.scheduleAtFixedRate(() -> {
                int row = written.getAndIncrement();
                if (row < 20) {
                    try {
                        Files.writeString(file, "c1,w" + row + "\n", StandardOpenOption.APPEND);
                        Files.setLastModifiedTime(file, old);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, 50, 50, TimeUnit.MILLISECONDS);
            JsonNode report = app.awaitReport("slow-writer.csv");
            assertThat(report.get("rowsRead").asLong()).isEqualTo(20);
            assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(20);
            assertThat(app.wireMock.getAllServeEvents().size()).isEqualTo(20);
        } finally {
            writer.shutdownNow();
        }
    }

    // --- invalid input, duplicates, injection -------------------------------------------------------------------

    @Test
    void invalidRowsAreDeadLetteredWithTheirLinesAndTheRestGoesThrough() throws Exception {
        String longId = "x".repeat(129);
        app.drop("invalid.csv", "classificationId,batchId\n"
                + "c1,ok1\n"             // 2
                + "c1,\n"                // 3 empty batchId
                + "c1,\"b 1\"\n"         // 4 whitespace
                + "c1," + longId + "\n"  // 5 too long
                + "c1,\"b\"\"q\"\n"      // 6 quote
                + "c1,a/b\n"             // 7 slash
                + ",b2\n"                // 8 empty classificationId
                + "c1,ok2\n");           // 9
        JsonNode report = app.awaitReport("invalid.csv");

        assertSentExactly(List.of(body("c1", "ok1"), body("c1", "ok2")));
        List<JsonNode> records = app.deadLetters("invalid.csv");
        assertThat(records).extracting(r -> r.get("line").asLong()).containsExactlyInAnyOrder(3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(records).allSatisfy(r -> {
            assertThat(r.get("reason").asText()).isEqualTo("INVALID_INPUT");
            assertThat(r.get("source").asText()).isEqualTo("invalid.csv");
            assertThat(r.get("attempts").asInt()).isZero();
            assertThat(r.has("httpStatus")).isFalse();
        });
        assertThat(record(records, 3).get("message").asText()).contains("batchId").contains("empty");
        assertThat(record(records, 4).get("message").asText()).contains("whitespace");
        assertThat(record(records, 5).get("message").asText()).contains("longer than 128");
        assertThat(record(records, 6).get("message").asText()).contains("quote");
        assertThat(record(records, 7).get("message").asText()).contains("slash");
        assertThat(record(records, 8).get("message").asText()).contains("classificationId");
        assertThat(report.get("outcomes").get("INVALID_INPUT").asLong()).isEqualTo(6);
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(2);
        assertThat(report.get("deadLetterFile").asText()).endsWith("invalid.csv.jsonl");
        assertThat(app.movedTo(".done", "invalid.csv")).isPresent();
    }

    @Test
    void aDuplicatedPairIsSentOnce() throws Exception {
        app.drop("dupes.csv", "classificationId,batchId\nc1,d1\nc1,d2\nc1,d1\nc2,d1\nc1,d1\n");
        JsonNode report = app.awaitReport("dupes.csv");
        assertSentExactly(List.of(body("c1", "d1"), body("c1", "d2"), body("c2", "d1")));
        assertThat(report.get("outcomes").get("DUPLICATE").asLong()).isEqualTo(2);
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(3);
        assertThat(app.deadLetters("dupes.csv")).isEmpty();
    }

    @Test
    void injectionAttemptsAreRejectedAndNeverChangeAnotherRequest() throws Exception {
        app.drop("inject.csv", "classificationId,batchId\n"
                + "c1,\"x\"\",\"\"classificationId\"\":\"\"victim\"\n"
                + "c1,back\\slash\n"
                + "c1,\"{\"\"batchId\"\":\"\"all\"\"}\"\n"
                + "\"c1\"\",\"\"batchId\"\":\"\"b9\",safe1\n"
                + "c1,safe2\n");
        JsonNode report = app.awaitReport("inject.csv");
        assertSentExactly(List.of(body("c1", "safe2")));
        assertThat(report.get("outcomes").get("INVALID_INPUT").asLong()).isEqualTo(4);
        assertThat(app.deadLetters("inject.csv")).extracting(r -> r.get("line").asLong())
                .containsExactlyInAnyOrder(2L, 3L, 4L, 5L);
    }

    // --- one test per answer ------------------------------------------------------------------------------------

    @Test
    void rejectedRequestsAreDeadLetteredWithoutRetry() throws Exception {
        stubFor("r400", json(400, "{\"status\":\"error\",\"message\":\"classificationId is required\"}"));
        stubFor("r404", json(404, "{\"status\":\"error\",\"message\":\"Batch not found\"}"));
        stubFor("r403", aResponse().withStatus(403).withBody("Forbidden"));
        app.drop("rejected.csv", "classificationId,batchId\nc1,r400\nc1,r404\nc1,r403\n");
        JsonNode report = app.awaitReport("rejected.csv");

        assertThat(requestsFor("r400").size()).isEqualTo(1);
        assertThat(requestsFor("r404").size()).isEqualTo(1);
        assertThat(requestsFor("r403").size()).isEqualTo(1);
        List<JsonNode> records = app.deadLetters("rejected.csv");
        assertThat(records).hasSize(3);
        assertRecord(record(records, 2), "c1", "r400", "REJECTED", 400, 1);
        assertThat(record(records, 2).get("message").asText()).isEqualTo("classificationId is required");
        assertRecord(record(records, 3), "c1", "r404", "REJECTED", 404, 1);
        assertThat(record(records, 3).get("message").asText()).isEqualTo("Batch not found");
        assertRecord(record(records, 4), "c1", "r403", "REJECTED", 403, 1);
        assertThat(record(records, 4).get("message").asText()).isEqualTo("Forbidden");
        assertThat(report.get("outcomes").get("REJECTED").asLong()).isEqualTo(3);
    }

    @Test
    void aServerEchoingTheKeyNeverPutsItInARecord() throws Exception {
        stubFor("echo403", json(403, "{\"status\":\"error\",\"message\":\"Key " + TestApp.API_KEY
                + " may not delete this batch\"}"));
        stubFor("echo500", aResponse().withStatus(500).withBody("upstream said: Bearer " + TestApp.API_KEY));
        app.drop("echo.csv", "classificationId,batchId\nc1,echo403\nc1,afterEcho\nc1,echo500\n");
        JsonNode report = app.awaitReport("echo.csv");
        List<JsonNode> records = app.deadLetters("echo.csv");
        assertThat(records).hasSize(2);
        assertRecord(record(records, 2), "c1", "echo403", "REJECTED", 403, 1);
        assertThat(record(records, 2).get("message").asText()).isEqualTo("Key **** may not delete this batch");
        assertThat(record(records, 4).get("message").asText()).isEqualTo("upstream said: Bearer ****");
        // a 403 can be about one batch: the other rows still go through
        assertThat(requestsFor("afterEcho").size()).isEqualTo(1);
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(1);
    }

    @Test
    void rateLimitWithRetryAfterIsHonouredThenSucceeds() throws Exception {
        app.wireMock.stubFor(forBatch("rl1").inScenario("rate-limit").whenScenarioStateIs(STARTED)
                .willReturn(json(429, "{\"status\":\"error\",\"message\":\"Too many requests\"}")
                        .withHeader("Retry-After", "1"))
                .willSetStateTo("open"));
        app.wireMock.stubFor(forBatch("rl1").inScenario("rate-limit").whenScenarioStateIs("open")
                .willReturn(json(200, SUCCESS)));
        app.drop("rate-limit.csv", "classificationId,batchId\nc1,rl1\n");
        JsonNode report = app.awaitReport("rate-limit.csv");

        List<LoggedRequest> requests = requestsFor("rl1");
        assertThat(requests.size()).isEqualTo(2);
        long gap = requests.get(1).getLoggedDate().getTime() - requests.get(0).getLoggedDate().getTime();
        assertThat(gap).as("wait between the 429 and the retry (ms)").isGreaterThanOrEqualTo(990);
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(1);
        assertThat(app.deadLetters("rate-limit.csv")).isEmpty();
    }

    @Test
    void rateLimitStillAnsweredAfterEveryAttemptIsDeadLettered() throws Exception {
        stubFor("rl2", json(429, "{\"status\":\"error\",\"message\":\"Too many requests\"}"));
        app.drop("rate-limit-exhausted.csv", "classificationId,batchId\nc1,rl2\n");
        app.awaitReport("rate-limit-exhausted.csv");
        assertThat(requestsFor("rl2").size()).isEqualTo(3);
        assertRecord(record(app.deadLetters("rate-limit-exhausted.csv"), 2), "c1", "rl2", "RATE_LIMITED", 429, 3);
    }

    @Test
    void serverErrorThenSuccessIsDeleted() throws Exception {
        app.wireMock.stubFor(forBatch("s1").inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(json(500, "{\"status\":\"error\",\"message\":\"Internal\"}")).willSetStateTo("fine"));
        app.wireMock.stubFor(forBatch("s1").inScenario("flaky").whenScenarioStateIs("fine")
                .willReturn(json(200, SUCCESS)));
        app.drop("flaky.csv", "classificationId,batchId\nc1,s1\n");
        JsonNode report = app.awaitReport("flaky.csv");
        assertThat(requestsFor("s1").size()).isEqualTo(2);
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(1);
        assertThat(app.deadLetters("flaky.csv")).isEmpty();
    }

    @Test
    void serverErrorUntilAttemptsAreExhaustedIsDeadLettered() throws Exception {
        stubFor("s2", json(500, "{\"status\":\"error\",\"message\":\"Internal server error\"}"));
        stubFor("s3", json(503, "{\"status\":\"error\",\"message\":\"Service unavailable\"}"));
        app.drop("down.csv", "classificationId,batchId\nc1,s2\nc1,s3\n");
        JsonNode report = app.awaitReport("down.csv");
        List<LoggedRequest> requests = requestsFor("s2");
        assertThat(requests.size()).isEqualTo(3);
        assertThat(requestsFor("s3").size()).isEqualTo(3);
        // exponential backoff: initial-delay is 50 ms in tests, then about twice that
        long firstGap = requests.get(1).getLoggedDate().getTime() - requests.get(0).getLoggedDate().getTime();
        long secondGap = requests.get(2).getLoggedDate().getTime() - requests.get(1).getLoggedDate().getTime();
        assertThat(firstGap).isGreaterThanOrEqualTo(50);
        assertThat(secondGap).isGreaterThanOrEqualTo(100);
        List<JsonNode> records = app.deadLetters("down.csv");
        assertThat(records).hasSize(2);
        JsonNode record = record(records, 2);
        assertRecord(record, "c1", "s2", "SERVER_ERROR", 500, 3);
        assertThat(record.get("message").asText()).isEqualTo("Internal server error");
        assertRecord(record(records, 3), "c1", "s3", "SERVER_ERROR", 503, 3);
        assertThat(Instant.parse(record.get("lastAttemptAt").asText()))
                .isAfter(Instant.parse(record.get("firstAttemptAt").asText()));
        assertThat(report.get("outcomes").get("SERVER_ERROR").asLong()).isEqualTo(2);
    }

    @Test
    void connectionResetIsRetriedThenDeadLetteredAsNetwork() throws Exception {
        stubFor("n1", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        app.drop("reset.csv", "classificationId,batchId\nc1,n1\n");
        app.awaitReport("reset.csv");
        assertThat(requestsFor("n1").size()).isEqualTo(3);
        JsonNode record = record(app.deadLetters("reset.csv"), 2);
        assertRecord(record, "c1", "n1", "NETWORK", null, 3);
        assertThat(record.get("message").asText()).isNotBlank();
    }

    @Test
    void responseTimeoutIsRetriedThenDeadLetteredAsNetwork() throws Exception {
        stubFor("t1", json(200, SUCCESS).withFixedDelay(3000));
        app.drop("timeout.csv", "classificationId,batchId\nc1,t1\n");
        app.awaitReport("timeout.csv");
        assertThat(requestsFor("t1").size()).isEqualTo(3);
        JsonNode record = record(app.deadLetters("timeout.csv"), 2);
        assertRecord(record, "c1", "t1", "NETWORK", null, 3);
        assertThat(record.get("message").asText()).containsIgnoringCase("timeout");
    }

    @Test
    void successStatusCodeWithErrorBodyIsAnApiError() throws Exception {
        stubFor("e1", json(200, "{\"status\":\"error\",\"message\":\"Batch is locked\"}"));
        stubFor("e2", aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody("<html>ok</html>"));
        app.drop("api-error.csv", "classificationId,batchId\nc1,e1\nc1,e2\n");
        JsonNode report = app.awaitReport("api-error.csv");
        assertThat(requestsFor("e1").size()).isEqualTo(1);
        assertThat(requestsFor("e2").size()).isEqualTo(1);
        List<JsonNode> records = app.deadLetters("api-error.csv");
        assertRecord(record(records, 2), "c1", "e1", "API_ERROR", 200, 1);
        assertThat(record(records, 2).get("message").asText()).contains("Batch is locked");
        assertRecord(record(records, 3), "c1", "e2", "API_ERROR", 200, 1);
        assertThat(record(records, 3).get("message").asText()).contains("not JSON");
        assertThat(report.get("outcomes").get("API_ERROR").asLong()).isEqualTo(2);
    }

    // --- unreadable files ----------------------------------------------------------------------------------------

    @Test
    void unreadableFilesGoToFailedWithOneRecordAndNothingIsSent() throws Exception {
        app.drop("empty.csv", new byte[0]);
        app.drop("binary.csv", new byte[] {'P', 'K', 3, 4, '\n', 0, 0, 0, 20, 0});
        app.drop("png.csv", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D});
        app.drop("latin1.csv", "classificationId,batchId\nc1,caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        app.drop("three-columns.csv", "c1,b1,x\nc1,b2,y\n");
        app.drop("unbalanced.csv", "classificationId,batchId\nc1,ok\nc1,\"broken\nc1,b3\n");
        app.drop("no-batch-column.csv", "classificationId,name\nc1,x\n");
        app.drop("renamed.jsonl", "classificationId,batchId\nc1,b1\n");
        Map<String, Object[]> expected = Map.of(
                "empty.csv", new Object[] {"empty", null},
                "binary.csv", new Object[] {"NUL", 2L},
                "png.csv", new Object[] {"UTF-8", 1L},
                "latin1.csv", new Object[] {"UTF-8", 2L},
                "three-columns.csv", new Object[] {"found 3", 1L},
                "unbalanced.csv", new Object[] {"malformed CSV", 3L},
                "no-batch-column.csv", new Object[] {"no batchId", 1L},
                "renamed.jsonl", new Object[] {"not JSON lines", 1L});
        for (Map.Entry<String, Object[]> e : expected.entrySet()) {
            String name = e.getKey();
            JsonNode report = app.awaitReport(name);
            assertThat(report.get("status").asText()).as(name).isEqualTo("FAILED");
            assertThat(report.get("outcomes").get("UNREADABLE_FILE").asLong()).as(name).isEqualTo(1);
            assertThat(app.movedTo(".failed", name)).as(name).isPresent();
            List<JsonNode> records = app.deadLetters(name);
            assertThat(records).as(name).hasSize(1);
            JsonNode record = records.get(0);
            assertThat(record.get("reason").asText()).as(name).isEqualTo("UNREADABLE_FILE");
            assertThat(record.get("source").asText()).as(name).isEqualTo(name);
            assertThat(record.get("message").asText()).as(name).contains((String) e.getValue()[0]);
            if (e.getValue()[1] == null) {
                assertThat(record.has("line")).as(name).isFalse();
            } else {
                assertThat(record.get("line").asLong()).as(name).isEqualTo(e.getValue()[1]);
            }
        }
        assertThat(app.wireMock.getAllServeEvents().size()).as("nothing sent from an unreadable file").isZero();
    }

    // --- replay -------------------------------------------------------------------------------------------------

    @Test
    void aDeadLetterFileMovedIntoTheInboxIsReplayed() throws Exception {
        stubFor("rp1", json(500, "{\"status\":\"error\",\"message\":\"Internal\"}"));
        app.drop("replay.csv", "classificationId,batchId\nc1,rp1\nc1,\"bad id\"\nc1,rp2\n");
        app.awaitReport("replay.csv");
        Path deadLetterFile = app.dataDir.resolve("deadletter").resolve("replay.csv.jsonl");
        assertThat(app.deadLetters("replay.csv")).hasSize(2);

        // the outage is over: the operator moves the dead-letter file into the inbox
        resetServer();
        Files.move(deadLetterFile, app.inbox().resolve("replay.csv.jsonl"));
        JsonNode report = app.awaitReport("replay.csv.jsonl");

        assertSentExactly(List.of(body("c1", "rp1")));
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(1);
        // the invalid row is still invalid, and says so with its line in the replayed file
        List<JsonNode> again = app.deadLetters("replay.csv.jsonl");
        assertThat(again).hasSize(1);
        assertThat(again.get(0).get("reason").asText()).isEqualTo("INVALID_INPUT");
        assertThat(again.get(0).get("source").asText()).isEqualTo("replay.csv.jsonl");
        assertThat(app.movedTo(".done", "replay.csv.jsonl")).isPresent();
    }

    // --- progress -----------------------------------------------------------------------------------------------

    @Test
    void aLongFileLogsStartProgressAndTotals() throws Exception {
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(5)
                .willReturn(json(200, SUCCESS).withFixedDelay(150)));
        StringBuilder csv = new StringBuilder("classificationId,batchId\n");
        for (int i = 0; i < 40; i++) {
            csv.append("c1,slow").append(i).append('\n');
        }
        try (LogCapture logs = LogCapture.capture()) {
            app.drop("slow.csv", csv.toString());
            app.awaitReport("slow.csv");
            List<String> lines = logs.lines();
            assertThat(lines).anyMatch(l -> l.startsWith("INFO Started slow.csv"));
            assertThat(lines).anyMatch(l -> l.startsWith("INFO Progress slow.csv:") && l.contains("rows done")
                    && l.contains("deleted") && l.contains("failed") && l.contains("rows/s")
                    && l.contains("% of the file read"));
            assertThat(lines).anyMatch(l -> l.startsWith("INFO Finished slow.csv") && l.contains("DELETED=40"));
        }
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    public static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    public static String body(String classificationId, String batchId) {
        return "{\"classificationId\":\"" + classificationId + "\",\"batchId\":\"" + batchId + "\"}";
    }

    public static MappingBuilder forBatch(String batchId) {
        return delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.batchId", equalTo(batchId)));
    }

    static void stubFor(String batchId, ResponseDefinitionBuilder response) {
        app.wireMock.stubFor(forBatch(batchId).willReturn(response));
    }

    static List<LoggedRequest> requestsFor(String batchId) {
        return app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                        .withRequestBody(matchingJsonPath("$.batchId", equalTo(batchId)))).stream()
                .sorted((a, b) -> a.getLoggedDate().compareTo(b.getLoggedDate()))
                .collect(Collectors.toList());
    }

    /** Every request the server received, as exact bodies: each expected body once, and nothing else. */
    static void assertSentExactly(List<String> bodies) {
        List<LoggedRequest> all = app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH)));
        assertThat(all).extracting(LoggedRequest::getBodyAsString).containsExactlyInAnyOrderElementsOf(bodies);
        assertThat(app.wireMock.getAllServeEvents().size()).isEqualTo(bodies.size());
    }

    public static JsonNode record(List<JsonNode> records, long line) {
        return records.stream().filter(r -> r.path("line").asLong() == line).findFirst()
                .orElseThrow(() -> new AssertionError("no dead-letter record for line " + line + " in " + records));
    }

    static void assertRecord(JsonNode record, String classificationId, String batchId, String reason,
                             Integer httpStatus, int attempts) {
        assertThat(record.get("source").asText()).endsWith(".csv");
        assertThat(record.get("classificationId").asText()).isEqualTo(classificationId);
        assertThat(record.get("batchId").asText()).isEqualTo(batchId);
        assertThat(record.get("reason").asText()).isEqualTo(reason);
        if (httpStatus == null) {
            assertThat(record.has("httpStatus")).isFalse();
        } else {
            assertThat(record.get("httpStatus").asInt()).isEqualTo(httpStatus);
        }
        assertThat(record.get("attempts").asInt()).isEqualTo(attempts);
        assertThat(record.get("message").asText()).isNotBlank();
        assertThat(record.get("firstAttemptAt").asText()).isNotBlank();
        assertThat(record.get("lastAttemptAt").asText()).isNotBlank();
    }
}
