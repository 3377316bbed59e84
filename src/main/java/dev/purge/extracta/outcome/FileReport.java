package dev.purge.extracta.outcome;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.purge.extracta.run.Outcome;
import java.util.Map;

/**
 * What happened to one dropped file, written to {@code <reports>/<source>.report.json} when the file is finished.
 *
 * @param status         DONE (every row has a final outcome), FAILED (the file went to .failed) or DRY_RUN
 * @param rowsFromEarlierRuns rows that reached their outcome in an earlier, interrupted run (counted in outcomes)
 * @param outcomes       number of rows by outcome, across runs; UNREADABLE_FILE is 1 for a refused file
 * @param deadLetterFile where this file's dead-letter records went, or null when there were none
 * @param error          why the file failed, or null
 */
@JsonPropertyOrder({"source", "status", "dryRun", "startedAt", "finishedAt", "durationMillis", "rowsRead",
        "rowsFromEarlierRuns", "outcomes", "deadLetterFile", "error"})
public record FileReport(
        String source,
        String status,
        boolean dryRun,
        String startedAt,
        String finishedAt,
        long durationMillis,
        long rowsRead,
        long rowsFromEarlierRuns,
        Map<Outcome, Long> outcomes,
        String deadLetterFile,
        String error) {
}
