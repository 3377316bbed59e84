package dev.purge.extracta;

import java.io.BufferedReader;
import java.io.StringReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongConsumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Streams the non-blank records of a CSV file with Commons CSV (RFC 4180 quotes, LF or CRLF, BOM skipped, values
 * trimmed), with the line each record starts on. The delimiter, {@code ,} or {@code ;}, is detected from the first
 * non-blank line.
 */
final class CsvLineReader implements Closeable {

    private final CSVParser parser;
    private final Iterator<CSVRecord> records;

    CsvLineReader(Path file, LongConsumer bytesRead) throws IOException {
        this(TextFiles.open(file, bytesRead), detectDelimiter(file));
    }

    /** CSV text already in memory, such as a message body. */
    static CsvLineReader forText(String text) throws IOException {
        String firstLine = new BufferedReader(new StringReader(text)).lines()
                .filter(l -> !TextFiles.isBlank(l)).findFirst().orElse("");
        return new CsvLineReader(new StringReader(text.startsWith("\uFEFF") ? text.substring(1) : text),
                delimiterOf(firstLine));
    }

    private CsvLineReader(Reader reader, char delimiter) throws IOException {
        CSVFormat format = CSVFormat.RFC4180.builder()
                .setDelimiter(delimiter)
                .setIgnoreEmptyLines(false) // we skip blank lines ourselves so line numbers stay exact
                .setIgnoreSurroundingSpaces(true)
                .get(); // values are stripped of whitespace below; control characters are kept, so they are refused
        try {
            this.parser = CSVParser.builder().setReader(reader).setFormat(format).get();
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
        this.records = parser.iterator();
    }

    /** Returns the next non-blank record, or null at the end of the file. */
    CsvLine next() throws UnreadableFileException {
        while (true) {
            long line = parser.getCurrentLineNumber() + 1;
            CSVRecord record;
            try {
                if (!records.hasNext()) {
                    return null;
                }
                record = records.next();
            } catch (UncheckedIOException | IllegalStateException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new UnreadableFileException("malformed CSV: " + cause.getMessage(), line);
            }
            List<String> values = new ArrayList<>(record.size());
            boolean blank = true;
            for (String value : record) {
                String trimmed = value == null ? "" : value.strip();
                values.add(trimmed);
                if (!TextFiles.isBlank(trimmed)) {
                    blank = false;
                }
            }
            if (!blank) {
                return new CsvLine(line, values);
            }
        }
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }

    /** {@code ;} when the first non-blank line has more semicolons than commas outside quotes, else {@code ,}. */
    static char detectDelimiter(Path file) throws IOException {
        try (BufferedReader reader = new BufferedReader(TextFiles.open(file, n -> { }))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!TextFiles.isBlank(line)) {
                    return delimiterOf(line);
                }
            }
        }
        return ',';
    }

    private static char delimiterOf(String line) {
        int commas = 0;
        int semicolons = 0;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == ',') {
                commas++;
            } else if (!quoted && c == ';') {
                semicolons++;
            }
        }
        return semicolons > commas ? ';' : ',';
    }
}
