package dev.purge.extracta.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.purge.extracta.request.DeleteBatchRequest;
import dev.purge.extracta.request.RequestRow;
import dev.purge.extracta.run.UnreadableFileException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CsvLineReader, CsvLayout and CsvRequestSource over real files. */
class CsvReadingTest {

    private static final String SOURCE = "input.csv";

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- helpers

    private Path write(String content) throws IOException {
        return writeBytes(content.getBytes(StandardCharsets.UTF_8));
    }

    private Path writeBytes(byte[] content) throws IOException {
        Path file = dir.resolve(SOURCE);
        Files.write(file, content);
        return file;
    }

    /** All non-blank records as the raw reader sees them. */
    private static List<CsvLine> lines(Path file) throws Exception {
        List<CsvLine> result = new ArrayList<>();
        try (CsvLineReader reader = new CsvLineReader(file, n -> { })) {
            CsvLine line;
            while ((line = reader.next()) != null) {
                result.add(line);
            }
        }
        return result;
    }

    /** The layout decided from the first non-blank record, as RequestReader.inspect does. */
    private static CsvLayout layout(Path file, String defaultClassification) throws Exception {
        try (CsvLineReader reader = new CsvLineReader(file, n -> { })) {
            CsvLine first = reader.next();
            assertThat(first).as("first record").isNotNull();
            return CsvLayout.of(first, defaultClassification != null);
        }
    }

    /** Inspect (layout) then read every row, as the route does. */
    private static List<RequestRow> rows(Path file, String defaultClassification) throws Exception {
        CsvLayout layout = layout(file, defaultClassification);
        List<RequestRow> result = new ArrayList<>();
        try (CsvRequestSource source = new CsvRequestSource(file, SOURCE, layout, defaultClassification, n -> { })) {
            RequestRow row;
            while ((row = source.next()) != null) {
                result.add(row);
            }
        }
        return result;
    }

    private static void assertValid(RequestRow row, long line, String classificationId, String batchId) {
        assertThat(row.problem()).as("problem of line %d", line).isNull();
        assertThat(row.valid()).isTrue();
        assertThat(row.duplicate()).isFalse();
        assertThat(row.request()).isEqualTo(new DeleteBatchRequest(SOURCE, line, classificationId, batchId));
    }

    // ---------------------------------------------------------------- headers

    @Test
    void headerInAnyOrderAndCase() throws Exception {
        Path file = write("BatchId,CLASSIFICATIONID\nb1,c1\nb2,c2\n");

        CsvLayout layout = layout(file, null);
        assertThat(layout).isEqualTo(new CsvLayout(true, 1, 0, 2));

        List<RequestRow> rows = rows(file, null);
        assertThat(rows).hasSize(2);
        assertValid(rows.get(0), 2, "c1", "b1");
        assertValid(rows.get(1), 3, "c2", "b2");
    }

    @Test
    void headerVariantsWithUnderscoreSpaceAndDash() throws Exception {
        Path file = write("batch_id,Classification-Id\nb1,c1\n");
        assertThat(layout(file, null)).isEqualTo(new CsvLayout(true, 1, 0, 2));
        assertValid(rows(file, null).get(0), 2, "c1", "b1");

        Path spaced = write("Classification ID,Batch ID\nc9,b9\n");
        assertThat(layout(spaced, null)).isEqualTo(new CsvLayout(true, 0, 1, 2));
        List<RequestRow> rows = rows(spaced, null);
        assertThat(rows).hasSize(1);
        assertValid(rows.get(0), 2, "c9", "b9");
    }

    @Test
    void extraColumnsAreIgnored() throws Exception {
        Path file = write("note,classificationId,owner,batchId,extra\nhello,c1,bob,b1,x\n,c2,,b2,\n");

        assertThat(layout(file, null)).isEqualTo(new CsvLayout(true, 1, 3, 5));
        List<RequestRow> rows = rows(file, null);
        assertThat(rows).hasSize(2);
        assertValid(rows.get(0), 2, "c1", "b1");
        assertValid(rows.get(1), 3, "c2", "b2");
    }

    @Test
    void headerWithoutBatchIdIsUnreadable() throws Exception {
        Path file = write("\nclassificationId,name\nc1,x\n");
        UnreadableFileException e = catchThrowableOfType(UnreadableFileException.class, () -> layout(file, null));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("no batchId column");
        assertThat(e.getLine()).isEqualTo(2L);

        // a default classification does not help a header without batchId
        assertThatThrownBy(() -> layout(file, "cdefault"))
                .isInstanceOf(UnreadableFileException.class)
                .hasMessageContaining("no batchId column");
    }

    @Test
    void headerWithOnlyBatchIdNeedsDefaultClassification() throws Exception {
        Path file = write("batchId\nb1\nb2\n");
        UnreadableFileException e = catchThrowableOfType(UnreadableFileException.class, () -> layout(file, null));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("no classificationId column");
        assertThat(e.getLine()).isEqualTo(1L);
    }

    @Test
    void headerWithOnlyBatchIdUsesDefaultClassification() throws Exception {
        Path file = write("batchId\nb1\nb2\n");
        assertThat(layout(file, "cdef")).isEqualTo(new CsvLayout(true, -1, 0, 1));

        List<RequestRow> rows = rows(file, "cdef");
        assertThat(rows).hasSize(2);
        assertValid(rows.get(0), 2, "cdef", "b1");
        assertValid(rows.get(1), 3, "cdef", "b2");
    }

    @Test
    void headerOnlyFileHasNoRows() throws Exception {
        Path file = write("classificationId,batchId\n\n  \n");
        assertThat(rows(file, null)).isEmpty();

        Path noNewline = write("classificationId,batchId");
        assertThat(rows(noNewline, null)).isEmpty();
    }

    @Test
    void rowMissingBatchIdCellInHeaderFileIsAProblem() throws Exception {
        Path file = write("classificationId,batchId\nc1\nc2,\nc3,b3\n");
        List<RequestRow> rows = rows(file, null);

        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).request()).isEqualTo(new DeleteBatchRequest(SOURCE, 2, "c1", null));
        assertThat(rows.get(0).problem()).isEqualTo("expected 2 columns as in the header, found 1");
        assertThat(rows.get(1).request()).isEqualTo(new DeleteBatchRequest(SOURCE, 3, "c2", ""));
        assertThat(rows.get(1).problem()).isEqualTo("batchId is missing or empty");
        assertValid(rows.get(2), 4, "c3", "b3");
    }

    @Test
    void rowMissingClassificationCellInHeaderFileIsAProblemEvenWithDefault() throws Exception {
        // the file names the column, so an empty cell is an error, not a request for the default
        Path file = write("classificationId,batchId\n,b1\n");
        List<RequestRow> rows = rows(file, "cdef");
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).problem()).isEqualTo("classificationId is missing or empty");
    }

    // ---------------------------------------------------------------- headerless

    @Test
    void headerlessTwoColumns() throws Exception {
        Path file = write("c1,b1\nc1,b2\n");
        assertThat(layout(file, null)).isEqualTo(new CsvLayout(false, 0, 1, 2));

        List<RequestRow> rows = rows(file, null);
        assertThat(rows).hasSize(2);
        assertValid(rows.get(0), 1, "c1", "b1");
        assertValid(rows.get(1), 2, "c1", "b2");
    }

    @Test
    void headerlessOneColumnWithDefaultClassification() throws Exception {
        Path file = write("b1\nb2\n");
        assertThat(layout(file, "cdef")).isEqualTo(new CsvLayout(false, -1, 0, 1));

        List<RequestRow> rows = rows(file, "cdef");
        assertThat(rows).hasSize(2);
        assertValid(rows.get(0), 1, "cdef", "b1");
        assertValid(rows.get(1), 2, "cdef", "b2");
    }

    @Test
    void headerlessOneColumnWithoutDefaultIsUnreadable() throws Exception {
        Path file = write("\n\nb1\nb2\n");
        UnreadableFileException e = catchThrowableOfType(UnreadableFileException.class, () -> layout(file, null));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("one column").contains("extracta.default-classification-id");
        assertThat(e.getLine()).isEqualTo(3L);
    }

    @Test
    void headerlessThreeColumnsIsUnreadable() throws Exception {
        Path file = write("c1,b1,x\n");
        UnreadableFileException e = catchThrowableOfType(UnreadableFileException.class, () -> layout(file, "cdef"));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("found 3");
        assertThat(e.getLine()).isEqualTo(1L);
    }

    @Test
    void threeColumnRowInHeaderlessTwoColumnFileIsAProblem() throws Exception {
        Path file = write("c1,b1\nc1,b2,extra\nc1,b3\n");
        List<RequestRow> rows = rows(file, null);

        assertThat(rows).hasSize(3);
        assertValid(rows.get(0), 1, "c1", "b1");
        assertThat(rows.get(1).problem()).isEqualTo("expected 2 columns, found 3");
        assertThat(rows.get(1).request().line()).isEqualTo(2);
        assertThat(rows.get(1).request().batchId()).isEqualTo("b2");
        assertValid(rows.get(2), 3, "c1", "b3");
    }

    @Test
    void oneColumnRowInHeaderlessTwoColumnFileIsAProblem() throws Exception {
        Path file = write("c1,b1\nb2\n");
        List<RequestRow> rows = rows(file, "cdef");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1).problem()).isEqualTo("expected 2 columns, found 1");
        assertThat(rows.get(1).request().line()).isEqualTo(2);
    }

    @Test
    void twoColumnRowInHeaderlessOneColumnFileIsAProblem() throws Exception {
        Path file = write("b1\nc2,b2\n");
        List<RequestRow> rows = rows(file, "cdef");
        assertThat(rows).hasSize(2);
        assertValid(rows.get(0), 1, "cdef", "b1");
        assertThat(rows.get(1).problem()).isEqualTo("expected 1 column, found 2");
    }

    // ---------------------------------------------------------------- encoding and line endings

    @Test
    void utf8BomIsSkipped() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        out.write("classificationId,batchId\nc1,b1\n".getBytes(StandardCharsets.UTF_8));
        Path file = writeBytes(out.toByteArray());

        // without BOM handling the first header cell would be "\uFEFFclassificationId" and not match
        assertThat(layout(file, null)).isEqualTo(new CsvLayout(true, 0, 1, 2));
        List<CsvLine> lines = lines(file);
        assertThat(lines.get(0).values()).containsExactly("classificationId", "batchId");
        List<RequestRow> rows = rows(file, null);
        assertThat(rows).hasSize(1);
        assertValid(rows.get(0), 2, "c1", "b1");
    }

    @Test
    void bomOnHeaderlessFileDoesNotLeakIntoFirstId() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        out.write("c1,b1\n".getBytes(StandardCharsets.UTF_8));
        Path file = writeBytes(out.toByteArray());

        List<RequestRow> rows = rows(file, null);
        assertThat(rows).hasSize(1);
        assertValid(rows.get(0), 1, "c1", "b1");
    }

    @Test
    void crlfLineEndings() throws Exception {
        Path file = write("classificationId,batchId\r\nc1,b1\r\n\r\nc2,b2\r\n");
        List<RequestRow> rows = rows(file, null);

        assertThat(rows).hasSize(2);
        assertValid(rows.get(0), 2, "c1", "b1");
        assertValid(rows.get(1), 4, "c2", "b2");
    }

    @Test
    void bytesReadAreReportedUpToFileSize() throws Exception {
        Path file = write("classificationId,batchId\nc1,b1\nc2,b2\n");
        CsvLayout layout = layout(file, null);
        AtomicLong last = new AtomicLong(-1);
        try (CsvRequestSource source = new CsvRequestSource(file, SOURCE, layout, null, last::set)) {
            while (source.next() != null) {
                // drain
            }
        }
        assertThat(last.get()).isEqualTo(Files.size(file));
    }

    // ---------------------------------------------------------------- quoting

    @Test
    void quotedFieldsFollowRfc4180() throws Exception {
        Path file = write("classificationId,batchId\n\"c1\",\"b1\"\n\"  c2  \" , \"b2\"\nc3,\"b\"\"3\"\n");
        List<CsvLine> lines = lines(file);
        assertThat(lines).extracting(CsvLine::line).containsExactly(1L, 2L, 3L, 4L);
        assertThat(lines.get(1).values()).containsExactly("c1", "b1");
        assertThat(lines.get(2).values()).containsExactly("c2", "b2");
        assertThat(lines.get(3).values()).containsExactly("c3", "b\"3");

        List<RequestRow> rows = rows(file, null);
        assertValid(rows.get(0), 2, "c1", "b1");
        assertValid(rows.get(1), 3, "c2", "b2");
        assertThat(rows.get(2).problem()).isEqualTo("batchId contains a quote (U+0022) at position 2");
    }

    @Test
    void quotedValueWithDelimitersDoubledQuoteAndNewlineIsOneCellAndLinesStayExact() throws Exception {
        Path file = write("classificationId,batchId\n"
                + "\"c,1;x\"\"y\nz\",b1\n"       // record spans lines 2-3
                + "\n"                           // line 4 blank
                + "c4,b4\n");                    // line 5
        List<CsvLine> lines = lines(file);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1).line()).isEqualTo(2);
        assertThat(lines.get(1).values()).containsExactly("c,1;x\"y\nz", "b1");
        assertThat(lines.get(2).line()).isEqualTo(5);
        assertThat(lines.get(2).values()).containsExactly("c4", "b4");

        List<RequestRow> rows = rows(file, null);
        assertThat(rows).hasSize(2);
        // the multi-line cell is read whole, then refused by the ID allow-list at its first bad character
        assertThat(rows.get(0).request()).isEqualTo(new DeleteBatchRequest(SOURCE, 2, "c,1;x\"y\nz", "b1"));
        assertThat(rows.get(0).problem())
                .isEqualTo("classificationId contains a character that is not allowed (U+002C) at position 2");
        assertValid(rows.get(1), 5, "c4", "b4");
    }

    @Test
    void rowRightAfterMultiLineFieldHasExactLine() throws Exception {
        Path file = write("c1,\"b\n\nb\"\nc2,b2\n");
        List<RequestRow> rows = rows(file, null);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).request().line()).isEqualTo(1);
        assertThat(rows.get(0).problem()).startsWith("batchId contains whitespace (U+000A)");
        assertValid(rows.get(1), 4, "c2", "b2");
    }

    @Test
    void unbalancedQuoteIsUnreadableAtTheLineWhereTheRecordStarts() throws Exception {
        Path file = write("classificationId,batchId\nc1,b1\n\nc2,\"b2\nc3,b3\nc4,b4\n");
        UnreadableFileException e = catchThrowableOfType(UnreadableFileException.class, () -> lines(file));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).startsWith("malformed CSV");
        assertThat(e.getLine()).isEqualTo(4L);
        assertThat(e.getMessage()).endsWith("(line 4)");
    }

    @Test
    void unbalancedQuoteAlsoStopsTheRequestSource() throws Exception {
        Path file = write("c1,b1\nc2,\"b2\n");
        CsvLayout layout = layout(file, null);
        try (CsvRequestSource source = new CsvRequestSource(file, SOURCE, layout, null, n -> { })) {
            assertValid(source.next(), 1, "c1", "b1");
            UnreadableFileException e = catchThrowableOfType(UnreadableFileException.class, source::next);
            assertThat(e).isNotNull();
            assertThat(e.getLine()).isEqualTo(2L);
        }
    }

    @Test
    void textAfterClosingQuoteIsUnreadable() throws Exception {
        Path file = write("c1,b1\nc2,\"b2\"x\n");
        UnreadableFileException e = catchThrowableOfType(UnreadableFileException.class, () -> lines(file));
        assertThat(e).isNotNull();
        assertThat(e.getLine()).isEqualTo(2L);
    }

    // ---------------------------------------------------------------- delimiter, blanks, trimming

    @Test
    void semicolonDelimiterIsDetected() throws Exception {
        Path file = write("classificationId;batchId\nc1;b1\n\"c,2\";b2\n");
        assertThat(CsvLineReader.detectDelimiter(file)).isEqualTo(';');
        List<RequestRow> rows = rows(file, null);
        assertThat(rows).hasSize(2);
        assertValid(rows.get(0), 2, "c1", "b1");
        assertThat(rows.get(1).request().classificationId()).isEqualTo("c,2");
    }

    @Test
    void delimiterDetectionSkipsBlankLinesAndIgnoresQuotedSeparators() throws Exception {
        assertThat(CsvLineReader.detectDelimiter(write(" \n;;\n,\nc1,b1\n"))).isEqualTo(',');
        assertThat(CsvLineReader.detectDelimiter(write("\n\"a,b,c\";x;y\n"))).isEqualTo(';');
        assertThat(CsvLineReader.detectDelimiter(write("\"a;b;c\",x\n"))).isEqualTo(',');
        assertThat(CsvLineReader.detectDelimiter(write("b1\n"))).isEqualTo(',');
    }

    @Test
    void headerlessSemicolonFile() throws Exception {
        Path file = write("c1;b1\r\nc2 ; b2\r\n");
        List<RequestRow> rows = rows(file, null);
        assertThat(rows).hasSize(2);
        assertValid(rows.get(0), 1, "c1", "b1");
        assertValid(rows.get(1), 2, "c2", "b2");
    }

    @Test
    void blankAndDelimiterOnlyLinesAreSkippedWithExactLineNumbers() throws Exception {
        Path file = write("\n"                        // 1
                + "   \n"                            // 2
                + "classificationId,batchId\n"       // 3
                + "\n"                               // 4
                + "c1,b1\n"                          // 5
                + " , \n"                            // 6
                + ",,,\n"                            // 7
                + "\t\n"                             // 8
                + "c2,b2\n"                          // 9
                + "\n");                             // 10
        List<CsvLine> lines = lines(file);
        assertThat(lines).extracting(CsvLine::line).containsExactly(3L, 5L, 9L);

        List<RequestRow> rows = rows(file, null);
        assertThat(rows).hasSize(2);
        assertValid(rows.get(0), 5, "c1", "b1");
        assertValid(rows.get(1), 9, "c2", "b2");
    }

    @Test
    void semicolonOnlyLinesAreSkippedInSemicolonFile() throws Exception {
        Path file = write("c1;b1\n;\n ; ;\nc2;b2\n");
        List<RequestRow> rows = rows(file, null);
        assertThat(rows).hasSize(2);
        assertValid(rows.get(1), 4, "c2", "b2");
    }

    /**
     * TextFiles.isBlank treats ';' as a delimiter on any file, and detectDelimiter skips such a line; the record
     * reader should then skip it too instead of taking it as a one-column record.
     */
    @Test
    void semicolonOnlyLineIsSkippedInCommaFile() throws Exception {
        Path file = write("c1,b1\n;\nc2,b2\n");
        List<RequestRow> rows = rows(file, null);
        assertThat(rows).extracting(r -> r.request().line()).containsExactly(1L, 3L);
    }

    /** Same root cause as above: a leading ';' line decides the layout of a comma file (1 column, not 2). */
    @Test
    void leadingSemicolonOnlyLineDoesNotDecideLayoutOfCommaFile() throws Exception {
        Path file = write(";\nc1,b1\n");
        assertThat(CsvLineReader.detectDelimiter(file)).isEqualTo(',');
        assertThat(layout(file, null)).isEqualTo(new CsvLayout(false, 0, 1, 2));
    }

    @Test
    void valuesAreTrimmed() throws Exception {
        Path file = write("  classificationId  ,\tbatchId \n   c1   ,\t b1 \t\n\u00A0c2\u2003,b2\n");
        List<RequestRow> rows = rows(file, null);
        assertThat(rows).hasSize(2);
        assertValid(rows.get(0), 2, "c1", "b1");
        // String.strip() removes Unicode whitespace such as EM SPACE; NBSP is not whitespace for Java
        assertThat(rows.get(1).request().classificationId()).isEqualTo("\u00A0c2");
        assertThat(rows.get(1).problem()).startsWith("classificationId contains whitespace (U+00A0)");
    }

    @Test
    void allBlankFileHasNoFirstRecord() throws Exception {
        Path file = write("\n \n, ,\n");
        try (CsvLineReader reader = new CsvLineReader(file, n -> { })) {
            assertThat(reader.next()).isNull();
            assertThat(reader.next()).isNull();
        }
    }

    // ---------------------------------------------------------------- line cap

    /** All records of CSV text read with this cap. */
    private static List<CsvLine> capped(String text, int cap) throws Exception {
        List<CsvLine> result = new ArrayList<>();
        try (CsvLineReader reader = CsvLineReader.forText(text, cap)) {
            CsvLine line;
            while ((line = reader.next()) != null) {
                result.add(line);
            }
        }
        return result;
    }

    @Test
    void aLongLineInsideAQuotedValueWithCrlfSkipsTheWholeRecord() throws Exception {
        List<CsvLine> lines = capped("a,b,notes\r\nc1,b1,\"one\r\n" + "x".repeat(100) + "\r\nc9,victim,\r\n"
                + "end\"\r\nc2,b2,plain\r\n", 40);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1).readable()).isFalse();
        assertThat(lines.get(1).line()).isEqualTo(2);
        assertThat(lines.get(1).problem()).startsWith("line 3 is longer than 40 characters");
        assertThat(lines.get(2).values()).containsExactly("c2", "b2", "plain");
        assertThat(lines.get(2).line()).isEqualTo(6);
    }

    @Test
    void aDoubledQuoteAndAQuoteInsideAnUnquotedValueDoNotFoolTheSkip() throws Exception {
        // "" inside the quoted value is a quote, not its end; a quote in the middle of an unquoted value opens nothing
        List<CsvLine> lines = capped("a,b\nc1,\"say \"\"hi\"\"\n" + "y".repeat(100) + "\nc9,victim\"\nc2,b\"2\nc3,b3\n",
                40);
        assertThat(lines).extracting(CsvLine::readable).containsExactly(true, false, true, true);
        assertThat(lines.get(2).values()).containsExactly("c2", "b\"2");
        assertThat(lines.get(3).values()).containsExactly("c3", "b3");
        assertThat(lines.get(3).line()).isEqualTo(6);
    }

    @Test
    void aLongLineThatIsTheRecordItselfIsSkippedToTheNextLine() throws Exception {
        List<CsvLine> lines = capped("a;b\nc1;" + "z".repeat(100) + "\nc2;b2\n", 40);
        assertThat(lines).extracting(CsvLine::line).containsExactly(1L, 2L, 3L);
        assertThat(lines.get(1).problem()).startsWith("line 2 is longer");
        assertThat(lines.get(2).values()).containsExactly("c2", "b2");
    }

    @Test
    void aLongLineInAQuotedValueThatNeverClosesMakesTheFileUnreadableAsAnUnclosedQuoteDoes() throws Exception {
        // skipping to the end of the text would hide every line after it inside one refused record
        try (CsvLineReader reader = CsvLineReader.forText("a,b\nc1,b1\nc2,\"open\n" + "x".repeat(100)
                + "\nc3,b3\n", 40)) {
            assertThat(reader.next().values()).containsExactly("a", "b");
            assertThat(reader.next().values()).containsExactly("c1", "b1");
            UnreadableFileException e = catchThrowableOfType(UnreadableFileException.class, reader::next);
            assertThat(e).isNotNull();
            assertThat(e.getLine()).isEqualTo(3L);
            assertThat(e.getMessage()).contains("never closed");
        }
    }
}
