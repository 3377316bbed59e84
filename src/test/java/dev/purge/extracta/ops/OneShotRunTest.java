package dev.purge.extracta.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.body;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.purge.extracta.ExtractaPurgeApplication;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.testsupport.LogCapture;
import dev.purge.extracta.testsupport.TestApp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One-shot mode: {@code --once [file-or-folder…]} runs the real application (properties, routes, WireMock on
 * loopback as the API) over what is there, exits with 0, 2 or 1, leaves named files in place, and prints a summary.
 */
class OneShotRunTest {

    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private WireMockServer wireMock;
    private Path dataDir;
    private Path elsewhere;
    private String summary;
    private final Map<String, String> settings = new java.util.HashMap<>();
    /** Settings of {@link TestApp#defaults()} this test leaves unset. */
    private final List<String> unset = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        wireMock = new WireMockServer(com.github.tomakehurst.wiremock.core.WireMockConfiguration.options()
                .bindAddress("127.0.0.1").dynamicPort());
        wireMock.start();
        TestApp.stubCredits(wireMock);
        wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(10).willReturn(json(200, SUCCESS)));
        wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.batchId", equalTo("refused1")))
                .willReturn(json(400, "{\"status\":\"error\",\"message\":\"Invalid batch\"}")));
        dataDir = Path.of("target", "test-data", "once-" + System.nanoTime()).toAbsolutePath();
        elsewhere = Files.createDirectories(dataDir.resolveSibling(dataDir.getFileName() + "-exports"));
    }

    @AfterEach
    void stop() {
        wireMock.stop();
    }

    private int once(String... paths) {
        Map<String, String> properties = TestApp.defaults();
        properties.put("extracta.base-url", "http://127.0.0.1:" + wireMock.port());
        properties.put("extracta.data-dir", dataDir.toString());
        properties.putAll(settings);
        unset.forEach(properties::remove);
        List<String> args = new ArrayList<>(List.of(ExtractaPurgeApplication.ONCE));
        args.addAll(List.of(paths));
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            return ExtractaPurgeApplication.run(args.toArray(new String[0]), properties);
        } finally {
            System.setOut(original);
            summary = captured.toString(StandardCharsets.UTF_8);
            original.print(summary);
        }
    }

    private Path export(String name, String content) throws Exception {
        return Files.writeString(elsewhere.resolve(name), content);
    }

    private JsonNode report(String name) throws Exception {
        return MAPPER.readTree(dataDir.resolve("reports").resolve(name + ".report.json").toFile());
    }

    @Test
    void everyRowDeletedExitsZeroAndTheNamedFileStaysWhereItIs() throws Exception {
        Path file = export("fine.csv", "classificationId,batchId\nc1,ok1\nc1,ok2\nc1,ok2\n");

        assertThat(once(file.toString())).isEqualTo(OneShotRun.ALL_DONE);

        assertThat(file).exists().hasContent("classificationId,batchId\nc1,ok1\nc1,ok2\nc1,ok2\n");
        assertThat(report("fine.csv").get("status").asText()).isEqualTo("DONE");
        assertThat(report("fine.csv").get("outcomes").get("DELETED").asInt()).isEqualTo(2);
        assertThat(report("fine.csv").get("outcomes").get("DUPLICATE").asInt()).isEqualTo(1);
        wireMock.verify(1, deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                .withHeader("Authorization", equalTo("Bearer " + TestApp.API_KEY))
                .withRequestBody(equalTo(body("c1", "ok1"))));
        assertThat(summary).contains("fine.csv").contains("DONE").contains("DELETED=2 DUPLICATE=1")
                .contains("exit status 0");

        // run again: the pairs are remembered, nothing is sent, still 0
        assertThat(once(file.toString())).isEqualTo(OneShotRun.ALL_DONE);
        assertThat(wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH)))).hasSize(2);
        assertThat(summary).contains("SKIPPED_ALREADY_DELETED=2");
    }

    @Test
    void aDeadLetteredRowExitsTwoAndEveryOtherRowStillGoesThrough() throws Exception {
        Path first = export("a.csv", "classificationId,batchId\nc2,refused1\nc2,fine1\n");
        Path second = export("b.csv", "classificationId,batchId\nc2,fine2\n");

        assertThat(once(elsewhere.toString())).isEqualTo(OneShotRun.DEAD_LETTERED);

        assertThat(first).exists();
        assertThat(second).exists();
        assertThat(report("a.csv").get("outcomes").get("REJECTED").asInt()).isEqualTo(1);
        assertThat(report("b.csv").get("outcomes").get("DELETED").asInt()).isEqualTo(1);
        List<String> records = Files.readAllLines(dataDir.resolve("deadletter").resolve("a.csv.jsonl"));
        assertThat(records).singleElement().satisfies(r -> assertThat(MAPPER.readTree(r).get("batchId").asText())
                .isEqualTo("refused1"));
        assertThat(summary).contains("a.csv").contains("b.csv").contains("exit status 2");
    }

    @Test
    void anUnreadableFileOrAMissingPathIsFatalButTheOtherFilesStillRun() throws Exception {
        Path binary = Files.write(elsewhere.resolve("binary.csv"), new byte[] {0x50, 0x4b, 0x03, 0x04, 0, 0, 0x7f});
        Path fine = export("fine.csv", "classificationId,batchId\nc3,ok3\n");

        assertThat(once(binary.toString(), elsewhere.resolve("missing.csv").toString(), fine.toString()))
                .isEqualTo(OneShotRun.FATAL);

        assertThat(binary).as("named on the command line: not moved to .failed").exists();
        assertThat(report("binary.csv").get("status").asText()).isEqualTo("FAILED");
        assertThat(report("fine.csv").get("outcomes").get("DELETED").asInt()).isEqualTo(1);
        assertThat(summary).contains("missing.csv").contains("NOT_READ").contains("no such file")
                .contains("exit status 1");
    }

    @Test
    void aKeyRefusedAtStartIsFatalAndNothingIsSent() throws Exception {
        wireMock.stubFor(get("/credits").willReturn(json(401, "{\"status\":\"error\",\"message\":\"Invalid API key\"}")));
        Path file = export("fine.csv", "classificationId,batchId\nc4,ok4\n");

        assertThat(once(file.toString())).isEqualTo(OneShotRun.FATAL);

        assertThat(wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH)))).isEmpty();
    }

    @Test
    void aKeyRefusedMidRunIsFatalAndTheFileIsLeftToResume() throws Exception {
        wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.batchId", equalTo("revoked")))
                .willReturn(json(401, "{\"status\":\"error\",\"message\":\"Invalid API key\"}")));
        Path file = export("revoked.csv", "classificationId,batchId\nc5,revoked\nc5,after\n");
        Path untouched = export("z-later.csv", "classificationId,batchId\nc5,later\n");

        assertThat(once(file.toString(), untouched.toString())).isEqualTo(OneShotRun.FATAL);

        assertThat(report("revoked.csv").get("status").asText()).isEqualTo("INTERRUPTED");
        assertThat(Files.exists(dataDir.resolve("reports").resolve("z-later.csv.report.json")))
                .as("nothing more is started once the key is refused").isFalse();
        assertThat(Files.exists(dataDir.resolve("deadletter").resolve("revoked.csv.jsonl"))).isFalse();
    }

    @Test
    void withoutPathsTheInboxIsProcessedAndItsFilesMoveAsUsual() throws Exception {
        Path inbox = Files.createDirectories(dataDir.resolve("inbox"));
        Files.writeString(inbox.resolve("dropped.csv"), "classificationId,batchId\nc6,in1\nc6,in2\n");
        Files.writeString(inbox.resolve(".hidden.csv"), "classificationId,batchId\nc6,hidden\n");

        assertThat(once()).isEqualTo(OneShotRun.ALL_DONE);

        assertThat(inbox.resolve("dropped.csv")).doesNotExist();
        try (Stream<Path> done = Files.list(inbox.resolve(".done"))) {
            assertThat(done.map(p -> p.getFileName().toString())).singleElement()
                    .satisfies(name -> assertThat(name).endsWith("-dropped.csv"));
        }
        assertThat(inbox.resolve(".hidden.csv")).as("hidden files are never read").exists();
        assertThat(wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH)))).hasSize(2);
    }

    private List<String> sentBatches() throws Exception {
        List<String> batches = new ArrayList<>();
        for (var r : wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH)))) {
            batches.add(MAPPER.readTree(r.getBodyAsString()).get("batchId").asText());
        }
        return batches;
    }

    @Test
    void fromTheInboxAFileWhoseMarkerIsNotThereYetIsLeftForTheNextRun() throws Exception {
        settings.put("extracta.inbox.marker-suffix", ".ready");
        Path inbox = Files.createDirectories(dataDir.resolve("inbox"));
        Files.writeString(inbox.resolve("said-done.csv"), "classificationId,batchId\nc7,mk1\n");
        Files.writeString(inbox.resolve("said-done.csv.ready"), "");
        Files.writeString(inbox.resolve("still-writing.csv"), "classificationId,batchId\nc7,mk2\n");

        assertThat(once()).isEqualTo(OneShotRun.INTERRUPTED);
        assertThat(summary).containsPattern("still-writing\\.csv +WAITING .*marker still-writing\\.csv\\.ready");
        assertThat(sentBatches()).containsExactly("mk1");
        assertThat(inbox.resolve("still-writing.csv")).exists();
        assertThat(inbox.resolve("said-done.csv.ready")).as("the marker goes with its file").doesNotExist();

        Files.writeString(inbox.resolve("still-writing.csv.ready"), "");
        assertThat(once()).isEqualTo(OneShotRun.ALL_DONE);
        assertThat(sentBatches()).containsExactlyInAnyOrder("mk1", "mk2");
        assertThat(inbox.resolve("still-writing.csv")).doesNotExist();
    }

    @Test
    void fromTheInboxAFileWhoseLastLineMayStillBeWrittenIsLeftForTheNextRunButNamedItIsTakenAsItIs()
            throws Exception {
        settings.put("extracta.inbox.last-line-wait", "600000");
        Path inbox = Files.createDirectories(dataDir.resolve("inbox"));
        Path openEnd = Files.writeString(inbox.resolve("open-end.csv"), "classificationId,batchId\nc8,le1\nc8,le");

        assertThat(once()).isEqualTo(OneShotRun.INTERRUPTED);
        assertThat(summary).containsPattern("open-end\\.csv +WAITING .*no line break");
        assertThat(sentBatches()).isEmpty();
        assertThat(openEnd).exists();
        assertThat(dataDir.resolve("reports").resolve("open-end.csv.report.json")).doesNotExist();

        // named on the command line, it is complete by the operator's word
        assertThat(once(openEnd.toString())).isEqualTo(OneShotRun.ALL_DONE);
        assertThat(sentBatches()).containsExactlyInAnyOrder("le1", "le");
        assertThat(openEnd).exists();
    }

    @Test
    void aDryRunSummarySaysNothingWasSentAndWhichRowsWouldBeDeadLettered() throws Exception {
        settings.put("extracta.dry-run", "true");
        Path file = export("plan.csv", "classificationId,batchId\nc9,dry1\nc9,bad id\n");

        assertThat(once(file.toString())).isEqualTo(OneShotRun.DEAD_LETTERED);
        assertThat(summary).contains("dry run: nothing was sent").contains("some rows would be dead-lettered")
                .doesNotContain("were dead-lettered");
        assertThat(sentBatches()).isEmpty();
    }

    @Test
    void aFolderOrAPipeWithAnInputsNameIsSaidInTheSummaryNeverReadAsAnEmptyFile() throws Exception {
        Files.createDirectories(elsewhere.resolve("folder.csv"));
        export("real.csv", "classificationId,batchId\nc10,fp1\n");
        assertThat(once(elsewhere.toString())).as("a folder is skipped, not an error").isEqualTo(OneShotRun.ALL_DONE);
        assertThat(summary).containsPattern("folder\\.csv +SKIPPED .*a folder, not a file");
        assertThat(sentBatches()).containsExactly("fp1");

        Path pipe = elsewhere.resolve("pipe.csv");
        Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        assertThat(once(elsewhere.toString())).as("an input that cannot be read").isEqualTo(OneShotRun.FATAL);
        assertThat(summary).containsPattern("pipe\\.csv +NOT_READ .*not a regular file")
                .doesNotContain("empty");
        assertThat(dataDir.resolve("reports").resolve("pipe.csv.report.json")).doesNotExist();
    }

    @Test
    void aOneShotRunOpensNoManagementPortUnlessItIsAskedFor() throws Exception {
        // a machine's EXTRACTA_MANAGEMENT_ENABLED or -D would ask for it: this test is about the default
        org.junit.jupiter.api.Assumptions.assumeFalse(System.getenv("EXTRACTA_MANAGEMENT_ENABLED") != null
                || System.getProperty("extracta.management.enabled") != null);
        unset.add("extracta.management.enabled");
        settings.put("extracta.management.port", "0");
        Path empty = Files.createDirectories(elsewhere.resolve("empty"));
        try (LogCapture logs = LogCapture.capture()) {
            assertThat(once(empty.toString())).isEqualTo(OneShotRun.ALL_DONE);
            assertThat(logs.lines()).as("no management server, no metrics registry")
                    .noneMatch(l -> l.contains("HTTP Management endpoints summary"))
                    .noneMatch(l -> l.contains("MicrometerPrometheus enabled"));
        }

        unset.clear();
        settings.put("extracta.management.enabled", "true");
        try (LogCapture logs = LogCapture.capture()) {
            assertThat(once(empty.toString())).isEqualTo(OneShotRun.ALL_DONE);
            assertThat(logs.lines()).as("asked for: served as in the service")
                    .anyMatch(l -> l.contains("HTTP Management endpoints summary"))
                    .anyMatch(l -> l.contains("MicrometerPrometheus enabled"));
        }
    }
}
