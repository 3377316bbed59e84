package dev.purge.extracta.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.purge.extracta.deadletter.DeadLetterRecord;
import dev.purge.extracta.request.DeleteBatchRequest;
import dev.purge.extracta.request.RequestRow;
import dev.purge.extracta.run.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonLinesRequestSourceTest {

    private static final String SOURCE = "replay.jsonl";

    @TempDir
    Path dir;

    private Path write(String content) throws IOException {
        return writeBytes(content.getBytes(StandardCharsets.UTF_8));
    }

    private Path writeBytes(byte[] content) throws IOException {
        Path file = dir.resolve(SOURCE);
        Files.write(file, content);
        return file;
    }

    private static List<RequestRow> rows(Path file, String defaultClassification) throws Exception {
        List<RequestRow> rows = new ArrayList<>();
        try (JsonLinesRequestSource source = new JsonLinesRequestSource(file, SOURCE, defaultClassification, n -> { })) {
            RequestRow row;
            while ((row = source.next()) != null) {
                rows.add(row);
            }
        }
        return rows;
    }

    private static void assertValid(RequestRow row, long line, String classificationId, String batchId) {
        assertThat(row.problem()).as("problem of line %d", line).isNull();
        assertThat(row.valid()).isTrue();
        assertThat(row.request()).isEqualTo(new DeleteBatchRequest(SOURCE, line, classificationId, batchId));
    }

    /** The line after a line too long to read has a number of its own (it was given the long line's number). */
    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n", "\r"})
    void theLineAfterATooLongLineKeepsItsOwnNumber(String lineBreak) throws Exception {
        String tooLong = "{\"batchId\":\"" + "x".repeat(70_000) + "\"}";
        List<RequestRow> rows = rows(write("{\"classificationId\":\"c\",\"batchId\":\"b1\"}" + lineBreak + tooLong
                + lineBreak + "{\"classificationId\":\"c\",\"batchId\":\"b3\"}" + lineBreak + "not json" + lineBreak),
                null);
        assertThat(rows).extracting(r -> r.request().line()).containsExactly(1L, 2L, 3L, 4L);
        assertValid(rows.get(0), 1, "c", "b1");
        assertThat(rows.get(1).problem()).contains("line 2 is longer than");
        assertValid(rows.get(2), 3, "c", "b3");
        assertThat(rows.get(3).problem()).startsWith("not a JSON object");
    }

    @Test
    void extraFieldsAreIgnoredAndValuesTrimmed() throws Exception {
        Path file = write("{\"note\":\"x\",\"classificationId\":\"  c1 \",\"batchId\":\"\\tb1 \",\"n\":3,\"o\":{\"a\":[1]}}\n"
                + "{\"batchId\":\"b2\",\"classificationId\":\"c2\"}\n");
        List<RequestRow> rows = rows(file, null);
        assertThat(rows).hasSize(2);
        assertValid(rows.get(0), 1, "c1", "b1");
        assertValid(rows.get(1), 2, "c2", "b2");
    }

    @Test
    void missingOrNullClassificationUsesDefault() throws Exception {
        Path file = write("{\"batchId\":\"b1\"}\n{\"classificationId\":null,\"batchId\":\"b2\"}\n");
        List<RequestRow> rows = rows(file, "cdef");
        assertThat(rows).hasSize(2);
        assertValid(rows.get(0), 1, "cdef", "b1");
        assertValid(rows.get(1), 2, "cdef", "b2");
    }

    @Test
    void explicitClassificationWinsOverDefault() throws Exception {
        List<RequestRow> rows = rows(write("{\"classificationId\":\"c1\",\"batchId\":\"b1\"}\n"), "cdef");
        assertValid(rows.get(0), 1, "c1", "b1");
    }

    @Test
    void missingClassificationWithoutDefaultIsAProblem() throws Exception {
        List<RequestRow> rows = rows(write("{\"batchId\":\"b1\"}\n"), null);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).problem()).isEqualTo("classificationId is missing or empty");
        assertThat(rows.get(0).request()).isEqualTo(new DeleteBatchRequest(SOURCE, 1, null, "b1"));
    }

    @Test
    void missingOrEmptyBatchIdIsAProblem() throws Exception {
        List<RequestRow> rows = rows(write("{\"classificationId\":\"c1\"}\n{\"classificationId\":\"c1\",\"batchId\":\"  \"}\n"),
                null);
        assertThat(rows).extracting(RequestRow::problem)
                .containsExactly("batchId is missing or empty", "batchId is missing or empty");
    }

    @Test
    void nonJsonLineIsAProblemWithItsLine() throws Exception {
        Path file = write("{\"classificationId\":\"c1\",\"batchId\":\"b1\"}\n"
                + "c2,b2\n"
                + "{\"classificationId\":\"c3\",\"batchId\":\"b3\"\n"
                + "{\"classificationId\":\"c4\",\"batchId\":\"b4\"}\n");
        List<RequestRow> rows = rows(file, null);
        assertThat(rows).hasSize(4);
        assertValid(rows.get(0), 1, "c1", "b1");
        assertThat(rows.get(1).request().line()).isEqualTo(2);
        assertThat(rows.get(1).problem()).startsWith("not a JSON object");
        assertThat(rows.get(1).request().classificationId()).isNull();
        assertThat(rows.get(1).request().batchId()).isNull();
        assertThat(rows.get(2).request().line()).isEqualTo(3);
        assertThat(rows.get(2).problem()).startsWith("not a JSON object");
        assertValid(rows.get(3), 4, "c4", "b4");
    }

    @Test
    void jsonArrayAndScalarLinesAreProblems() throws Exception {
        Path file = write("[{\"classificationId\":\"c1\",\"batchId\":\"b1\"}]\n\"c1,b1\"\n42\nnull\n");
        List<RequestRow> rows = rows(file, "cdef");
        assertThat(rows).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(rows.get(i).problem()).as("line %d", i + 1).isEqualTo("not a JSON object");
            assertThat(rows.get(i).request().line()).isEqualTo(i + 1);
        }
    }

    @Test
    void nonStringIdsAreProblems() throws Exception {
        Path file = write("{\"classificationId\":\"c1\",\"batchId\":12345}\n"
                + "{\"classificationId\":7,\"batchId\":\"b2\"}\n"
                + "{\"classificationId\":\"c3\",\"batchId\":true}\n"
                + "{\"classificationId\":\"c4\",\"batchId\":{\"id\":\"b4\"}}\n"
                + "{\"classificationId\":\"c5\",\"batchId\":[\"b5\"]}\n");
        List<RequestRow> rows = rows(file, null);
        assertThat(rows).extracting(RequestRow::problem).containsExactly(
                "batchId is not a string",
                "classificationId is not a string",
                "batchId is not a string",
                "batchId is not a string",
                "batchId is not a string");
        assertThat(rows).noneMatch(RequestRow::valid);
    }

    @Test
    void blankLinesAreSkippedWithExactLineNumbers() throws Exception {
        Path file = write("\n"
                + "{\"classificationId\":\"c1\",\"batchId\":\"b1\"}\n"   // 2
                + "   \n"
                + "\t\n"
                + "{\"classificationId\":\"c2\",\"batchId\":\"b2\"}\r\n" // 5
                + "\r\n"
                + "{\"classificationId\":\"c3\",\"batchId\":\"b3\"}");   // 7, no final newline
        List<RequestRow> rows = rows(file, null);
        assertThat(rows).hasSize(3);
        assertValid(rows.get(0), 2, "c1", "b1");
        assertValid(rows.get(1), 5, "c2", "b2");
        assertValid(rows.get(2), 7, "c3", "b3");
    }

    @Test
    void bomIsSkipped() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        out.writeBytes("{\"classificationId\":\"c1\",\"batchId\":\"b1\"}\n".getBytes(StandardCharsets.UTF_8));
        List<RequestRow> rows = rows(writeBytes(out.toByteArray()), null);
        assertThat(rows).hasSize(1);
        assertValid(rows.get(0), 1, "c1", "b1");
    }

    @Test
    void invalidIdCharactersAreProblems() throws Exception {
        List<RequestRow> rows = rows(write("{\"classificationId\":\"c/1\",\"batchId\":\"b 1\"}\n"), null);
        assertThat(rows.get(0).problem()).isEqualTo("classificationId contains a slash (U+002F) at position 2");
    }

    @Test
    void deadLetterRecordReadsBackAsTheSamePair() throws Exception {
        DeadLetterRecord record = new DeadLetterRecord("-OPXR1F82I0cRYJPcHNo", "b9dAUzUVlw", "orders.csv", 17L,
                Outcome.SERVER_ERROR, 503, "Service \"unavailable\", retry later", 5,
                "2025-01-01T10:00:00Z", "2025-01-01T10:01:00Z", null, null);
        String json = new ObjectMapper().writeValueAsString(record);
        // the shape we expect a dead-letter line to have
        JsonNode node = new ObjectMapper().readTree(json);
        assertThat(node.fieldNames()).toIterable().containsExactly("classificationId", "batchId", "source", "line",
                "reason", "httpStatus", "message", "attempts", "firstAttemptAt", "lastAttemptAt");

        DeadLetterRecord invalid = new DeadLetterRecord("c1", "", "orders.csv", 18L, Outcome.INVALID_INPUT, null,
                "batchId is missing or empty", 0, null, null, null, null);
        Path file = write(json + "\n" + new ObjectMapper().writeValueAsString(invalid) + "\n");

        List<RequestRow> rows = rows(file, "other-default");
        assertThat(rows).hasSize(2);
        assertValid(rows.get(0), 1, "-OPXR1F82I0cRYJPcHNo", "b9dAUzUVlw");
        assertThat(rows.get(1).request()).isEqualTo(new DeleteBatchRequest(SOURCE, 2, "c1", ""));
        assertThat(rows.get(1).problem()).isEqualTo("batchId is missing or empty");
    }

    /** A line is one JSON value: trailing content after the object makes it not a JSON object. */
    @Test
    void trailingContentAfterObjectIsAProblem() throws Exception {
        Path file = write("{\"classificationId\":\"c1\",\"batchId\":\"b1\"} garbage\n"
                + "{\"classificationId\":\"c2\",\"batchId\":\"b2\"}{\"classificationId\":\"c3\",\"batchId\":\"b3\"}\n");
        List<RequestRow> rows = rows(file, null);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).valid()).as("line 1 has trailing garbage").isFalse();
        assertThat(rows.get(1).valid()).as("line 2 holds two objects").isFalse();
    }
}
