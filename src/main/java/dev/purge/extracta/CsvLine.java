package dev.purge.extracta;

import java.util.List;

/** One non-blank CSV record and the 1-based line where it starts. */
record CsvLine(long line, List<String> values) {
}
