package dev.purge.extracta.request;

/**
 * One item of a source file as handed to the row route: the request and what reading found wrong with it.
 *
 * @param request   the request as read
 * @param problem   why the row is invalid, or null when it is valid
 * @param duplicate true when the same pair appeared earlier in the same file
 * @param raw       for an invalid row, the line (or JSON value) as read, so its dead-letter record can be fixed and
 *                  replayed; null otherwise
 */
public record RequestRow(DeleteBatchRequest request, String problem, boolean duplicate, String raw) {

    public RequestRow(DeleteBatchRequest request, String problem, boolean duplicate) {
        this(request, problem, duplicate, null);
    }

    public boolean valid() {
        return problem == null;
    }

    public RequestRow withRaw(String raw) {
        return new RequestRow(request, problem, duplicate, raw);
    }

    public RequestRow asDuplicate() {
        return new RequestRow(request, problem, true, raw);
    }
}
