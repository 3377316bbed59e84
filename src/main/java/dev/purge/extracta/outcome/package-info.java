/**
 * The end of a row and of a run: {@link dev.purge.extracta.outcome.OutcomeRecorder} is the single writer of a row's
 * record (journal lines, counters, metrics, the answer of a message); {@link dev.purge.extracta.outcome.RunReports}
 * ends each file's run with its report, the move out of the inbox and the journal's removal.
 */
package dev.purge.extracta.outcome;
