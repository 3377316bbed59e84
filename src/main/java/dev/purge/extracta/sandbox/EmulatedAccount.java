package dev.purge.extracta.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The state of one emulated Extracta account: what has been deleted, and which IDs it never had. Each method takes
 * a request's JSON object and returns the answer; fields are validated first (a 400 deletes nothing).
 *
 * <p>An ID is unknown when {@link ExtractaEmulator.Settings#isUnknown(String)} says so; a request naming an unknown
 * ID, or something already deleted (itself or what contains it: a batch of a deleted classification, a file of a
 * deleted batch), answers 404. Thread-safe: a concurrent set decides which of two identical deletes wins.
 */
final class EmulatedAccount {

    /** One answer: HTTP status, JSON body, and whether it deleted something. */
    record Answer(int status, String body, boolean deleted) {

        static Answer error(int status, String message) {
            return new Answer(status, "{\"status\":\"error\",\"message\":\"" + message + "\"}", false);
        }

        static Answer success(String message) {
            return new Answer(200, "{\"status\":\"success\",\"message\":\"" + message + "\"}", true);
        }
    }

    /** A request field that is missing, empty or of the wrong type: answered 400. */
    private static final class InvalidField extends Exception {
        InvalidField(String message) {
            super(message, null, false, false);
        }
    }

    // what was deleted, as (kind, IDs...): classification C, batch B, file F, extraction E, its batch EB, its file EF
    private final Set<List<String>> deleted = ConcurrentHashMap.newKeySet();
    private final Predicate<String> unknown;

    EmulatedAccount(Predicate<String> unknown) {
        this.unknown = unknown;
    }

    Answer deleteBatch(JsonNode body) {
        return answer(body, this::batch);
    }

    Answer deleteClassification(JsonNode body) {
        return answer(body, this::classification);
    }

    Answer deleteFiles(JsonNode body) {
        return answer(body, this::files);
    }

    Answer deleteExtraction(JsonNode body) {
        return answer(body, this::extraction);
    }

    private Answer batch(JsonNode body) throws InvalidField {
        String classificationId = required(body, "classificationId");
        String batchId = required(body, "batchId");
        boolean done = delete(List.of("B", classificationId, batchId), List.of(classificationId, batchId),
                List.of(List.of("C", classificationId)));
        return done ? Answer.success("Batch deleted") : Answer.error(404, "Batch not found");
    }

    private Answer classification(JsonNode body) throws InvalidField {
        String classificationId = required(body, "classificationId");
        boolean done = delete(List.of("C", classificationId), List.of(classificationId), List.of());
        return done ? Answer.success("Classification deleted") : Answer.error(404, "Classification not found");
    }

    /** Deletes the listed files that are still there; 404 when none of them was, or the batch is gone. */
    private Answer files(JsonNode body) throws InvalidField {
        String classificationId = required(body, "classificationId");
        String batchId = required(body, "batchId");
        List<String> fileIds = requiredList(body, "fileIds");
        List<List<String>> batch = List.of(List.of("C", classificationId), List.of("B", classificationId, batchId));
        if (!isThere(List.of(classificationId, batchId), batch)) {
            return Answer.error(404, "Batch not found");
        }
        boolean any = false;
        for (String fileId : fileIds) {
            any |= delete(List.of("F", classificationId, batchId, fileId), List.of(fileId), batch);
        }
        return any ? Answer.success("Files deleted") : Answer.error(404, "Files not found");
    }

    /** The scope follows the fields present: the whole extraction, one batch of it, or one file of that batch. */
    private Answer extraction(JsonNode body) throws InvalidField {
        String extractionId = required(body, "extractionId");
        String batchId = optional(body, "batchId");
        String fileId = optional(body, "fileId");
        boolean done;
        if (batchId == null && fileId != null) {
            // not described by the vendor (the server might widen the scope): refused, so a client sending it is caught
            throw new InvalidField("fileId requires batchId");
        } else if (batchId == null) {
            done = delete(List.of("E", extractionId), List.of(extractionId), List.of());
        } else if (fileId == null) {
            done = delete(List.of("EB", extractionId, batchId), List.of(extractionId, batchId),
                    List.of(List.of("E", extractionId)));
        } else {
            done = delete(List.of("EF", extractionId, batchId, fileId), List.of(extractionId, batchId, fileId),
                    List.of(List.of("E", extractionId), List.of("EB", extractionId, batchId)));
        }
        if (!done) {
            return Answer.error(404, "Extraction not found");
        }
        return new Answer(200, "{\"status\":\"deleted\",\"deletedAt\":" + System.currentTimeMillis() + "}", true);
    }

    /** A request to one endpoint, read from its body; a field that is not right is answered 400, deleting nothing. */
    private interface Rule {
        Answer apply(JsonNode body) throws InvalidField;
    }

    private static Answer answer(JsonNode body, Rule rule) {
        try {
            return rule.apply(body);
        } catch (InvalidField e) {
            return Answer.error(400, e.getMessage());
        }
    }

    /** True when this call deleted {@code target}: every ID is known, nothing containing it was deleted, nor itself. */
    private boolean delete(List<String> target, List<String> ids, List<List<String>> containers) {
        return isThere(ids, containers) && deleted.add(target);
    }

    private boolean isThere(List<String> ids, List<List<String>> containers) {
        for (String id : ids) {
            if (unknown.test(id)) {
                return false;
            }
        }
        for (List<String> container : containers) {
            if (deleted.contains(container)) {
                return false;
            }
        }
        return true;
    }

    private static String required(JsonNode body, String field) throws InvalidField {
        String value = optional(body, field);
        if (value == null) {
            throw new InvalidField(field + " is required");
        }
        return value;
    }

    /** Null when absent; when present it must be a non-empty string (null is the wrong type). */
    private static String optional(JsonNode body, String field) throws InvalidField {
        JsonNode node = body.get(field);
        if (node == null) {
            return null;
        }
        return idValue(node, field + " must be a string", field + " must not be empty");
    }

    private static List<String> requiredList(JsonNode body, String field) throws InvalidField {
        JsonNode node = body.get(field);
        if (node == null) {
            throw new InvalidField(field + " is required");
        }
        if (!node.isArray() || node.isEmpty()) {
            throw new InvalidField(field + " must be a non-empty list of strings");
        }
        List<String> values = new ArrayList<>(node.size());
        for (JsonNode element : node) {
            values.add(idValue(element, field + " must be a non-empty list of strings",
                    field + " must not hold an empty string"));
        }
        return values;
    }

    private static String idValue(JsonNode node, String wrongType, String empty) throws InvalidField {
        if (!node.isTextual()) {
            throw new InvalidField(wrongType);
        }
        String value = node.textValue();
        if (value.isEmpty()) {
            throw new InvalidField(empty);
        }
        return value;
    }
}
