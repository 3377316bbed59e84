package dev.purge.extracta.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A WireMock extension that behaves like the real API for deleteBatch: the first delete of a batch succeeds, a
 * second one answers 404, and batches whose ID starts with "bad" are refused with 400. Applies to stubs that name it.
 */
public final class StatefulDeleteApi implements ResponseDefinitionTransformerV2 {

    public static final String NAME = "stateful-delete-api";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final Set<String> deleted = ConcurrentHashMap.newKeySet();

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
        ResponseDefinition stub = serveEvent.getResponseDefinition();
        try {
            JsonNode body = MAPPER.readTree(serveEvent.getRequest().getBodyAsString());
            String pair = body.path("classificationId").asText() + "/" + body.path("batchId").asText();
            if (body.path("batchId").asText().startsWith("bad")) {
                return answer(stub, 400, "{\"status\":\"error\",\"message\":\"Invalid batch\"}");
            }
            if (!deleted.add(pair)) {
                return answer(stub, 404, "{\"status\":\"error\",\"message\":\"Batch not found\"}");
            }
            return answer(stub, 200, "{\"status\":\"success\",\"message\":\"Batch deleted\"}");
        } catch (Exception e) {
            return answer(stub, 400, "{\"status\":\"error\",\"message\":\"Bad request\"}");
        }
    }

    private static ResponseDefinition answer(ResponseDefinition stub, int status, String body) {
        return ResponseDefinitionBuilder.like(stub).but()
                .withStatus(status).withHeader("Content-Type", "application/json").withBody(body).build();
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public String getName() {
        return NAME;
    }
}
