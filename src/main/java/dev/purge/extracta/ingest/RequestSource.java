package dev.purge.extracta.ingest;

import dev.purge.extracta.request.DeleteBatchRequest;
import dev.purge.extracta.request.IdValidator;
import dev.purge.extracta.request.RequestRow;
import dev.purge.extracta.run.UnreadableFileException;
import java.io.Closeable;
import java.io.IOException;

/** Reads the requests of one source file in order, one row at a time. */
interface RequestSource extends Closeable {

    /** Returns the next request with what is wrong with it (duplicate not yet decided), or null at the end. */
    RequestRow next() throws IOException, UnreadableFileException;

    /** Validates both IDs and builds the row; the first problem found wins. */
    static RequestRow row(String source, long line, String classificationId, String batchId, String problem,
                          String raw) {
        DeleteBatchRequest request = new DeleteBatchRequest(source, line, classificationId, batchId);
        if (problem == null) {
            problem = IdValidator.problem("classificationId", classificationId);
        }
        if (problem == null) {
            problem = IdValidator.problem("batchId", batchId);
        }
        return new RequestRow(request, problem, false, problem == null ? null : raw);
    }
}
