package dev.purge.extracta;

/**
 * One item of a source file as handed to the row route: the request and what reading found wrong with it.
 *
 * @param request   the request as read
 * @param problem   why the row is invalid, or null when it is valid
 * @param duplicate true when the same pair appeared earlier in the same file
 */
public record RequestRow(DeleteBatchRequest request, String problem, boolean duplicate) {

    public boolean valid() {
        return problem == null;
    }
}
