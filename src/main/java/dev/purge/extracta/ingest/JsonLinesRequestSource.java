package dev.purge.extracta.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.purge.extracta.request.RequestRow;
import dev.purge.extracta.run.InboxFile;
import dev.purge.extracta.run.UnreadableFileException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * The requests of a JSON-lines file, such as a dead-letter file moved back into the inbox: one object a line with
 * {@code classificationId} and {@code batchId}; other fields are ignored, values trimmed, and the default
 * classification applies when {@code classificationId} is absent. A line that is not one JSON object (a key twice,
 * longer than the line cap) is an invalid row that keeps its text; the lines around it are read as usual.
 */
final class JsonLinesRequestSource implements RequestSource {

    /** Only to tell a JSON-lines file from something else by its first line (duplicate keys are a row's problem). */
    private static final ObjectMapper LENIENT = new ObjectMapper();

    private final LineCappedReader reader;
    private final String source;
    private final String defaultClassificationId;
    private final AutoCloseable owned;

    JsonLinesRequestSource(InboxFile file, String source, String defaultClassificationId, LongConsumer bytesRead,
                           int maxLineLength) throws IOException {
        this(file, source, defaultClassificationId, bytesRead, maxLineLength, null);
    }

    /** A file on its own (tests, tools), with the default line cap. */
    JsonLinesRequestSource(Path file, String source, String defaultClassificationId, LongConsumer bytesRead)
            throws IOException {
        this(pinned(file), source, defaultClassificationId, bytesRead, CsvLineReader.DEFAULT_MAX_LINE_LENGTH, true);
    }

    private JsonLinesRequestSource(InboxFile file, String source, String defaultClassificationId,
                                   LongConsumer bytesRead, int maxLineLength, Boolean own) throws IOException {
        this.reader = new LineCappedReader(TextFiles.open(file, bytesRead), maxLineLength);
        this.source = source;
        this.defaultClassificationId = defaultClassificationId;
        this.owned = own != null ? file : null;
    }

    private static InboxFile pinned(Path file) throws IOException {
        try {
            return InboxFile.open(file);
        } catch (UnreadableFileException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public RequestRow next() throws IOException {
        while (true) {
            long line = reader.skipRestOfRecord(); // past a refused line first: the next one has a number of its own
            String text;
            try {
                text = reader.readLine();
            } catch (LineCappedReader.LineTooLongException e) {
                return RequestSource.row(source, e.line(), null, null, e.getMessage(), e.head());
            }
            if (text == null) {
                return null;
            }
            if (!text.isBlank()) {
                return parse(text, line);
            }
        }
    }

    private RequestRow parse(String text, long line) {
        JsonNode node;
        try {
            node = StrictJson.read(text);
        } catch (JsonProcessingException e) {
            return RequestSource.row(source, line, null, null, "not a JSON object: " + StrictJson.problem(e), text);
        }
        RequestRow row = fromJson(node, source, line, defaultClassificationId);
        return row.valid() ? row : row.withRaw(text);
    }

    /** One request from a JSON value: an object with the two IDs (others fields ignored), else an invalid row. */
    static RequestRow fromJson(JsonNode node, String source, long line, String defaultClassificationId) {
        if (node == null || !node.isObject()) {
            return RequestSource.row(source, line, null, null, "not a JSON object", raw(node));
        }
        JsonNode classification = node.get("classificationId");
        JsonNode batch = node.get("batchId");
        String problem = lookAlikeKey(node);
        if (problem != null) {
            return RequestSource.row(source, line, null, null, problem, raw(node));
        }
        if (classification != null && !classification.isNull() && !classification.isTextual()) {
            problem = "classificationId is not a string";
        } else if (batch != null && !batch.isNull() && !batch.isTextual()) {
            problem = "batchId is not a string";
        }
        String classificationId = classification == null || classification.isNull()
                ? defaultClassificationId : text(classification);
        RequestRow row = RequestSource.row(source, line, classificationId, text(batch), problem, null);
        return row.valid() ? row : row.withRaw(raw(node));
    }

    /**
     * A key spelled like one of ours but not exactly ({@code classification_id}, {@code batchID}) is refused, never
     * ignored: ignored, the default classification would stand in for the one the sender meant.
     */
    private static String lookAlikeKey(JsonNode node) {
        for (var names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            String folded = name.replaceAll("[\\s_.-]", "").toLowerCase(java.util.Locale.ROOT);
            for (String ours : new String[] {"classificationId", "batchId"}) {
                if (!name.equals(ours) && folded.equals(ours.toLowerCase(java.util.Locale.ROOT))) {
                    return "key \"" + name + "\" is not \"" + ours + "\" (the IDs are read from exactly "
                            + "\"classificationId\" and \"batchId\")";
                }
            }
        }
        return null;
    }

    private static String raw(JsonNode node) {
        return node == null ? null : node.toString();
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText().strip();
    }

    /** The next line; a line too long to read counts as blank here (a row of its own: the next line tells). */
    private static String lineOrBlankIfTooLong(LineCappedReader reader) throws IOException {
        try {
            return reader.readLine();
        } catch (LineCappedReader.LineTooLongException e) {
            return "";
        }
    }

    /**
     * Refuses a file that is not JSON lines at all (a CSV renamed to .jsonl, say): its first non-blank line (that is
     * not too long to read) must be a JSON object. Later bad lines are single INVALID_INPUT rows.
     */
    static void checkFirstLine(InboxFile file, int maxLineLength) throws IOException, UnreadableFileException {
        try (LineCappedReader reader = new LineCappedReader(TextFiles.open(file, n -> { }), maxLineLength)) {
            while (true) {
                long line = reader.skipRestOfRecord(); // past a refused line first: the next one has a number of its own
                String text = lineOrBlankIfTooLong(reader);
                if (text == null) {
                    break;
                }
                if (text.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = LENIENT.readTree(text);
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
        try {
            reader.close();
        } finally {
            if (owned != null) {
                try {
                    owned.close();
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }
        }
    }
}
