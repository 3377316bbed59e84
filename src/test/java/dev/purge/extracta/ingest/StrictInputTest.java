package dev.purge.extracta.ingest;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.deadletter.DeadLetters;
import dev.purge.extracta.testsupport.TestApp;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hardening, strict input: a header that names no accepted column (or one accepted and one unknown) refuses the file
 * or message instead of being sent as a data row; a JSON object with a key twice is refused in every entrance; a line
 * or message over the cap is that row's (or message's) error and the rest goes on; a line that could not be used
 * keeps its text in the dead-letter record, so it can be fixed and replayed.
 */
class StrictInputTest {

    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static TestApp app;
    static ProducerTemplate template;

    @BeforeAll
    static void start() throws Exception {
        app = TestApp.start("strict", Map.of("extracta.input.max-line-length", "1024",
                "extracta.input.max-message-length", "4096"));
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(200, SUCCESS)));
        template = app.camelContext().createProducerTemplate();
    }

    @AfterAll
    static void stop() throws Exception {
        template.close();
        app.close();
    }

    private static List<String> sentBatches() throws Exception {
        List<String> batches = new java.util.ArrayList<>();
        for (var r : app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH)))) {
            batches.add(MAPPER.readTree(r.getBodyAsString()).get("batchId").asText());
        }
        return batches;
    }

    private static JsonNode call(String body) throws Exception {
        return MAPPER.readTree(template.requestBody("direct:extracta-delete-batch", body, String.class));
    }

    // ---- 7. headers -----------------------------------------------------------------------------------------------

    @Test
    void aHeaderThatNamesNoAcceptedColumnRefusesTheFileInsteadOfSendingItAsARow() throws Exception {
        app.drop("id-batch.csv", "id,batch\nc1,hb1\nc1,hb2\n");
        JsonNode report = app.awaitReport("id-batch.csv");
        assertThat(report.get("status").asText()).isEqualTo("FAILED");
        assertThat(report.get("outcomes").get("UNREADABLE_FILE").asLong()).isEqualTo(1);
        JsonNode record = app.deadLetters("id-batch.csv").get(0);
        assertThat(record.get("line").asLong()).isEqualTo(1);
        assertThat(record.get("message").asText()).contains("looks like a header ('id')")
                .contains("classificationId and batchId").contains("extracta.csv.header=absent");
        assertThat(sentBatches()).doesNotContain("batch", "hb1", "hb2");
    }

    @Test
    void aHeaderWithOneAcceptedAndOneUnknownNameRefusesTheFile() throws Exception {
        app.drop("half-header.csv", "batchId,clasificationId\nhh1,c1\n");
        JsonNode report = app.awaitReport("half-header.csv");
        assertThat(report.get("status").asText()).isEqualTo("FAILED");
        assertThat(app.deadLetters("half-header.csv").get(0).get("message").asText())
                .contains("an unknown column 'clasificationId'");
        assertThat(sentBatches()).doesNotContain("hh1");
    }

    @Test
    void aCsvMessageWithAHeaderThatNamesNoAcceptedColumnIsRefusedWhole() throws Exception {
        JsonNode answer = call("id,batch\nc1,hm1\n");
        assertThat(answer).singleElement().satisfies(r -> {
            assertThat(r.get("outcome").asText()).isEqualTo("UNREADABLE_MESSAGE");
            assertThat(r.get("message").asText()).contains("looks like a header");
        });
        assertThat(sentBatches()).doesNotContain("batch", "hm1");
    }

    @Test
    void withHeaderAbsentTheFirstLineIsData() throws Exception {
        try (TestApp headerless = TestApp.start("strict-headerless", Map.of("extracta.csv.header", "absent"))) {
            headerless.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(200, SUCCESS)));
            headerless.drop("plain.csv", "id,batch\nc1,nh1\n");
            JsonNode report = headerless.awaitReport("plain.csv");
            assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(2);
        }
    }

    // ---- 8. a key twice -------------------------------------------------------------------------------------------

    @Test
    void aJsonLineWithAKeyTwiceIsARefusedRowAndTheOthersGoOn() throws Exception {
        app.drop("twice.jsonl", "{\"classificationId\":\"c1\",\"batchId\":\"dk1\"}\n"
                + "{\"classificationId\":\"c1\",\"batchId\":\"dk-first\",\"batchId\":\"dk-second\"}\n"
                + "{\"classificationId\":\"c1\",\"batchId\":\"dk3\"}\n");
        JsonNode report = app.awaitReport("twice.jsonl");
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(2);
        assertThat(report.get("outcomes").get("INVALID_INPUT").asLong()).isEqualTo(1);
        JsonNode record = DeleteBatchPipelineTest.record(app.deadLetters("twice.jsonl"), 2);
        assertThat(record.get("message").asText()).contains("a key appears twice").contains("batchId");
        assertThat(sentBatches()).contains("dk1", "dk3").doesNotContain("dk-first", "dk-second");
    }

    @Test
    void aDirectCallWithAKeyTwiceIsRefusedWhole() throws Exception {
        JsonNode answer = call("{\"classificationId\":\"c1\",\"batchId\":\"dd-first\",\"batchId\":\"dd-second\"}");
        assertThat(answer).singleElement().satisfies(r -> {
            assertThat(r.get("outcome").asText()).isEqualTo("UNREADABLE_MESSAGE");
            assertThat(r.get("message").asText()).contains("a key appears twice");
        });
        assertThat(sentBatches()).doesNotContain("dd-first", "dd-second");
    }

    // ---- 9. line and message caps ---------------------------------------------------------------------------------

    @Test
    void aCsvLineOverTheCapIsThatRowsErrorWithItsLineAndTheRowsAroundItAreSent() throws Exception {
        app.drop("long-line.csv", "classificationId,batchId\nc1,ll1\nc1," + "x".repeat(5000) + "\nc1,ll3\n");
        JsonNode report = app.awaitReport("long-line.csv");
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(2);
        assertThat(report.get("outcomes").get("INVALID_INPUT").asLong()).isEqualTo(1);
        JsonNode record = DeleteBatchPipelineTest.record(app.deadLetters("long-line.csv"), 3);
        assertThat(record.get("message").asText()).isEqualTo("line 3 is longer than 1024 characters "
                + "(extracta.input.max-line-length)");
        assertThat(record.get("raw").asText()).startsWith("c1,xxx").hasSize(LineCappedReader.HEAD_LENGTH);
        assertThat(sentBatches()).contains("ll1", "ll3");
    }

    @Test
    void aCsvFileWhoseFirstLineIsOverTheCapIsRefusedWholeSinceItsHeaderCannotBeTold() throws Exception {
        app.drop("long-first.csv", "classificationId,batchId" + ",x".repeat(3000) + "\nc1,lf1\nc1,lf2\n");
        JsonNode report = app.awaitReport("long-first.csv");
        assertThat(report.get("status").asText()).isEqualTo("FAILED");
        assertThat(report.get("error").asText()).contains("1024");
        assertThat(app.movedTo(".failed", "long-first.csv")).isPresent();
        assertThat(sentBatches()).doesNotContain("lf1", "lf2");
    }

    @Test
    void theKeyAcrossTheCutOfALongLineOrOfALongValueLeavesNoPartOfItInTheRecord() throws Exception {
        String key = TestApp.API_KEY;
        // a line over the cap whose kept head (1,024 characters) ends inside the key
        String head = "c1,pasted-" + "x".repeat(LineCappedReader.HEAD_LENGTH - 10 - 12);
        app.drop("key-cut.csv", "classificationId,batchId\n" + head + key + "y".repeat(3000) + "\nc1,kc2\n");
        app.awaitReport("key-cut.csv");
        JsonNode record = DeleteBatchPipelineTest.record(app.deadLetters("key-cut.csv"), 2);
        assertThat(record.get("raw").asText()).startsWith("c1,pasted-").endsWith("****")
                .doesNotContain(key.substring(0, 6));
        // the input itself holds the key: it goes, so the leak scan of every test output finds only real leaks
        Files.delete(app.movedTo(".done", "key-cut.csv").orElseThrow());

        // a batchId longer than a record keeps, with the key across the cut
        String longId = "z".repeat(DeadLetters.MAX_VALUE_LENGTH - 6) + key + "z".repeat(50);
        JsonNode answer = call("{\"classificationId\":\"c1\",\"batchId\":\"" + longId + "\"}");
        assertThat(answer.get(0).get("outcome").asText()).isEqualTo("INVALID_INPUT");
        assertThat(app.deadLetters("direct-calls").toString()).doesNotContain(key.substring(0, 6));
    }

    @Test
    void aLineOverTheCapInsideAQuotedValueRefusesItsWholeRecordAndNoTextInsideTheQuotesIsSent() throws Exception {
        // the long line sits inside a quoted value that spans lines: reading on at the next line would read text
        // inside the quotes ("cX,qVictim") as a record of its own
        app.drop("long-quoted.csv", "classificationId,batchId,notes\n"
                + "c1,q1,\"first line of notes\n"
                + "z".repeat(1500) + "\n"
                + "cX,qVictim,whatever\n"
                + "end of notes\"\n"
                + "c2,q2,plain\n");
        JsonNode report = app.awaitReport("long-quoted.csv");
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(1);
        assertThat(report.get("outcomes").get("INVALID_INPUT").asLong()).isEqualTo(1);
        JsonNode record = DeleteBatchPipelineTest.record(app.deadLetters("long-quoted.csv"), 2);
        assertThat(record.get("message").asText()).startsWith("line 3 is longer than 1024 characters");
        assertThat(sentBatches()).contains("q2").doesNotContain("qVictim", "q1");
    }

    @Test
    void aJsonLineOverTheCapIsThatRowsErrorAndTheRowsAroundItAreSent() throws Exception {
        app.drop("long-line.jsonl", "{\"classificationId\":\"c1\",\"batchId\":\"lj1\"}\r\n"
                + "{\"classificationId\":\"c1\",\"batchId\":\"" + "y".repeat(3000) + "\"}\r\n"
                + "{\"classificationId\":\"c1\",\"batchId\":\"lj3\"}\r\n");
        JsonNode report = app.awaitReport("long-line.jsonl");
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(2);
        JsonNode record = DeleteBatchPipelineTest.record(app.deadLetters("long-line.jsonl"), 2);
        assertThat(record.get("message").asText()).startsWith("line 2 is longer than 1024 characters");
        assertThat(sentBatches()).contains("lj1", "lj3");
    }

    @Test
    void aMessageOverTheCapIsRefusedWhole() throws Exception {
        StringBuilder array = new StringBuilder("[");
        for (int i = 0; i < 100; i++) {
            array.append(i == 0 ? "" : ",").append("{\"classificationId\":\"c1\",\"batchId\":\"mc").append(i)
                    .append("\"}");
        }
        JsonNode answer = call(array.append("]").toString());
        assertThat(answer).singleElement().satisfies(r -> {
            assertThat(r.get("outcome").asText()).isEqualTo("UNREADABLE_MESSAGE");
            assertThat(r.get("message").asText()).contains("longer than 4096 characters");
        });
        assertThat(sentBatches()).doesNotContain("mc0", "mc99");
    }

    // ---- 10. the raw line in the record, and its replay -----------------------------------------------------------

    @Test
    void aLineThatCouldNotBeReadKeepsItsTextInTheRecordAndTheFixedRecordReplays() throws Exception {
        app.drop("broken.jsonl", "{\"classificationId\":\"c1\",\"batchId\":\"rw1\"}\n"
                + "{\"classificationId\":\"c1\",\"batchId\":\"rw2\"\n");
        app.drop("shifted.csv", "classificationId,batchId\nc1,rw3,extra\n");
        app.awaitReport("broken.jsonl");
        app.awaitReport("shifted.csv");
        JsonNode broken = DeleteBatchPipelineTest.record(app.deadLetters("broken.jsonl"), 2);
        assertThat(broken.get("raw").asText()).isEqualTo("{\"classificationId\":\"c1\",\"batchId\":\"rw2\"");
        assertThat(broken.has("batchId")).isFalse();
        JsonNode shifted = DeleteBatchPipelineTest.record(app.deadLetters("shifted.csv"), 2);
        assertThat(shifted.get("raw").asText()).isEqualTo("c1,rw3,extra");

        // the operator fixes the records (the IDs from the raw text) and drops them back in
        ObjectNode fixedBroken = ((ObjectNode) broken.deepCopy()).put("classificationId", "c1").put("batchId", "rw2");
        ObjectNode fixedShifted = ((ObjectNode) shifted.deepCopy()).put("batchId", "rw3");
        app.drop("fixed.jsonl", MAPPER.writeValueAsString(fixedBroken) + "\n"
                + MAPPER.writeValueAsString(fixedShifted) + "\n");
        JsonNode report = app.awaitReport("fixed.jsonl");
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(2);
        assertThat(sentBatches()).contains("rw2", "rw3");
    }
}
