package dev.purge.extracta.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * How every request is read from JSON (JSON-lines files, queue messages, direct calls): nothing after the value (two
 * records glued together must not lose the second) and no key twice ({@code {"batchId":"a","batchId":"b"}} names two
 * batches; which one was meant cannot be told, so the request is refused rather than the last value taken).
 */
final class StrictJson {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private StrictJson() {
    }

    static JsonNode read(String text) throws JsonProcessingException {
        return MAPPER.readTree(text);
    }

    /** Why the text could not be read, in words an operator can act on. */
    static String problem(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (message != null && message.startsWith("Duplicate field ")) {
            return "a key appears twice (" + message.substring("Duplicate field ".length())
                    + "): which value is meant cannot be told";
        }
        return message;
    }
}
