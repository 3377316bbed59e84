package dev.purge.extracta.ingest;

import java.util.List;

/**
 * One non-blank CSV record and the 1-based line where it starts, or a line that could not be read as a record (too
 * long): then {@code problem} says why and {@code raw} keeps its first characters.
 */
record CsvLine(long line, List<String> values, String problem, String raw) {

    CsvLine(long line, List<String> values) {
        this(line, values, null, null);
    }

    /** The record starting on {@code line} that holds a line too long to read (the same line, or a later one). */
    static CsvLine tooLong(long line, LineCappedReader.LineTooLongException e) {
        return new CsvLine(line, List.of(), e.getMessage(), e.head());
    }

    boolean readable() {
        return problem == null;
    }
}
