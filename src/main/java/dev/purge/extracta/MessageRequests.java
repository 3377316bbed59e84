package dev.purge.extracta;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The requests of one queue message (or one direct call): a JSON object, a JSON array of objects, or CSV text in the
 * inbox's format. Messages are small, so they are read whole. A body that cannot be read at all is refused whole;
 * a bad object or row is one INVALID_INPUT request, numbered by its position (array) or line (CSV).
 */
final class MessageRequests {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private MessageRequests() {
    }

    static List<RequestRow> read(String body, String source, String defaultClassificationId)
            throws UnreadableMessageException {
        String text = body == null ? "" : body.strip();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1).strip();
        }
        if (text.isEmpty()) {
            throw new UnreadableMessageException("the message is empty");
        }
        if (text.startsWith("{") || text.startsWith("[")) {
            return readJson(text, source, defaultClassificationId);
        }
        return readCsv(text, source, defaultClassificationId);
    }

    private static List<RequestRow> readJson(String text, String source, String defaultClassificationId)
            throws UnreadableMessageException {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UnreadableMessageException("not valid JSON: " + e.getOriginalMessage());
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

    private static List<RequestRow> readCsv(String text, String source, String defaultClassificationId)
            throws UnreadableMessageException {
        try (CsvLineReader layoutReader = CsvLineReader.forText(text)) {
            CsvLine first = layoutReader.next();
            CsvLayout layout = CsvLayout.of(first, defaultClassificationId != null);
            List<RequestRow> rows = new ArrayList<>();
            try (CsvRequestSource requests = new CsvRequestSource(CsvLineReader.forText(text), source, layout,
                    defaultClassificationId)) {
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
