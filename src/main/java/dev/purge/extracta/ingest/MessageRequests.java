package dev.purge.extracta.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.purge.extracta.request.RequestRow;
import dev.purge.extracta.run.UnreadableFileException;
import dev.purge.extracta.run.UnreadableMessageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The requests of one queue message (or one direct call): a JSON object, a JSON array of objects, or CSV text in the
 * inbox's format. Messages are small, so they are read whole; one longer than the message cap is refused whole. A
 * body that cannot be read at all (a key twice in an object included) is refused whole; a bad object or row is one
 * INVALID_INPUT request, numbered by its position (array) or line (CSV), with its text kept for the record.
 */
final class MessageRequests {

    private MessageRequests() {
    }

    /** How a message is read: the inbox's CSV rules and the caps on one line and on the whole message. */
    record Rules(String defaultClassificationId, CsvLayout.HeaderMode headerMode, int maxLineLength,
                 int maxMessageLength) {

        static Rules defaults(String defaultClassificationId) {
            return new Rules(defaultClassificationId, CsvLayout.HeaderMode.AUTO,
                    CsvLineReader.DEFAULT_MAX_LINE_LENGTH, 4 * 1024 * 1024);
        }
    }

    static List<RequestRow> read(String body, String source, String defaultClassificationId)
            throws UnreadableMessageException {
        return read(body, source, Rules.defaults(defaultClassificationId));
    }

    static List<RequestRow> read(String body, String source, Rules rules) throws UnreadableMessageException {
        if (body != null && body.length() > rules.maxMessageLength()) {
            throw new UnreadableMessageException("the message is longer than " + rules.maxMessageLength()
                    + " characters (extracta.input.max-message-length): split it into smaller messages");
        }
        String text = body == null ? "" : body.strip();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1).strip();
        }
        if (text.isEmpty()) {
            throw new UnreadableMessageException("the message is empty");
        }
        if (text.startsWith("{") || text.startsWith("[")) {
            return readJson(text, source, rules.defaultClassificationId());
        }
        return readCsv(text, source, rules);
    }

    private static List<RequestRow> readJson(String text, String source, String defaultClassificationId)
            throws UnreadableMessageException {
        JsonNode node;
        try {
            node = StrictJson.read(text);
        } catch (JsonProcessingException e) {
            throw new UnreadableMessageException("not valid JSON: " + StrictJson.problem(e));
        }
        List<RequestRow> rows = new ArrayList<>();
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                rows.add(JsonLinesRequestSource.fromJson(node.get(i), source, i + 1, defaultClassificationId));
            }
        } else {
            rows.add(JsonLinesRequestSource.fromJson(node, source, 1, defaultClassificationId));
        }
        return rows;
    }

    private static List<RequestRow> readCsv(String text, String source, Rules rules)
            throws UnreadableMessageException {
        boolean hasDefault = rules.defaultClassificationId() != null;
        try (CsvLineReader layoutReader = CsvLineReader.forText(text, rules.maxLineLength())) {
            CsvLine first = layoutReader.next();
            CsvLayout layout = CsvLayout.of(first, hasDefault, rules.headerMode());
            List<RequestRow> rows = new ArrayList<>();
            try (CsvRequestSource requests = new CsvRequestSource(CsvLineReader.forText(text, rules.maxLineLength()),
                    source, layout, rules.defaultClassificationId())) {
                RequestRow row;
                while ((row = requests.next()) != null) {
                    rows.add(row);
                }
            }
            return rows;
        } catch (UnreadableFileException e) {
            throw new UnreadableMessageException("not JSON, and not readable as CSV: " + e.getMessage());
        } catch (IOException e) {
            throw new UnreadableMessageException("cannot read the message: " + e.getMessage());
        }
    }
}
