package dev.purge.extracta;

import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.HashMap;
import java.util.Map;

/** Counting what reached the API, batch by batch. */
final class InputIdentityTestSupport {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private InputIdentityTestSupport() {
    }

    static Map<String, Integer> perBatch(WireMockServer api) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (LoggedRequest r : api.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH)))) {
            counts.merge(MAPPER.readTree(r.getBodyAsString()).get("batchId").asText(), 1, Integer::sum);
        }
        return counts;
    }
}
