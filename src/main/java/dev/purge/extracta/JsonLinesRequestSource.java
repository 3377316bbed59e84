package dev.purge.extracta;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * The requests of a JSON-lines file, such as a dead-letter file moved back into the inbox: one object a line with
 * {@code classificationId} and {@code batchId}; other fields are ignored, values trimmed, and the default
 * classification applies when {@code classificationId} is absent.
 */
final class JsonLinesRequestSource implements RequestSource {

    // a line with anything after its object (two records glued together) must not silently lose the second one
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final BufferedReader reader;
    private final String source;
    private final String defaultClassificationId;
    private long line;

    JsonLinesRequestSource(Path file, String source, String defaultClassificationId, LongConsumer bytesRead)
            throws IOException {
        this.reader = new BufferedReader(TextFiles.open(file, bytesRead), 64 * 1024);
        this.source = source;
        this.defaultClassificationId = defaultClassificationId;
    }

    @Override
    public RequestRow next() throws IOException {
        String text;
        while ((text = reader.readLine()) != null) {
            line++;
            if (!text.isBlank()) {
                return parse(text);
            }
        }
        return null;
    }

    private RequestRow parse(String text) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return RequestSource.row(source, line, null, null, "not a JSON object: " + e.getOriginalMessage());
        }
        return fromJson(node, source, line, defaultClassificationId);
    }

    /** One request from a JSON value: an object with the two IDs (others fields ignored), else an invalid row. */
    static RequestRow fromJson(JsonNode node, String source, long line, String defaultClassificationId) {
        if (node == null || !node.isObject()) {
            return RequestSource.row(source, line, null, null, "not a JSON object");
        }
        JsonNode classification = node.get("classificationId");
        JsonNode batch = node.get("batchId");
        String problem = null;
        if (classification != null && !classification.isNull() && !classification.isTextual()) {
            problem = "classificationId is not a string";
        } else if (batch != null && !batch.isNull() && !batch.isTextual()) {
            problem = "batchId is not a string";
        }
        String classificationId = classification == null || classification.isNull()
                ? defaultClassificationId : text(classification);
        return RequestSource.row(source, line, classificationId, text(batch), problem);
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText().strip();
    }

    /**
     * Refuses a file that is not JSON lines at all (a CSV renamed to .jsonl, say): its first non-blank line must be a
     * JSON object. Later bad lines are single INVALID_INPUT rows.
     */
    static void checkFirstLine(Path file) throws IOException, UnreadableFileException {
        try (BufferedReader reader = new BufferedReader(TextFiles.open(file, n -> { }), 64 * 1024)) {
            String text;
            long line = 0;
            while ((text = reader.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = MAPPER.readTree(text);
                } catch (JsonProcessingException e) {
                    node = null;
                }
                if (node == null || !node.isObject()) {
                    throw new UnreadableFileException("not JSON lines: the first line is not a JSON object", line);
                }
                return;
            }
        }
        throw new UnreadableFileException("no JSON lines, only blank lines", null);
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
