/**
 * Finding work: the inbox (which files are taken, and when), reading a file or a message into rows (CSV, JSON lines,
 * JSON), and the start and end of each file's and each message's way ({@link dev.purge.extracta.ingest.FileRuns},
 * {@link dev.purge.extracta.ingest.MessageRuns}). Uses the stages below it; nothing below uses it.
 */
package dev.purge.extracta.ingest;
