package dev.purge.extracta.ingest;

import dev.purge.extracta.request.RequestRow;
import dev.purge.extracta.run.InboxFile;
import dev.purge.extracta.run.UnreadableFileException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

/** The requests of a CSV file, mapped through its {@link CsvLayout}. */
final class CsvRequestSource implements RequestSource {

    private final CsvLineReader reader;
    private final CsvLayout layout;
    private final String source;
    private final String defaultClassificationId;
    private boolean headerSkipped;

    CsvRequestSource(InboxFile file, String source, CsvLayout layout, String defaultClassificationId,
                     LongConsumer bytesRead, int maxLineLength) throws IOException {
        this(new CsvLineReader(file, bytesRead, maxLineLength), source, layout, defaultClassificationId);
    }

    /** A file on its own (tests, tools), with the default line cap. */
    CsvRequestSource(Path file, String source, CsvLayout layout, String defaultClassificationId,
                     LongConsumer bytesRead) throws IOException {
        this(new CsvLineReader(file, bytesRead), source, layout, defaultClassificationId);
    }

    CsvRequestSource(CsvLineReader reader, String source, CsvLayout layout, String defaultClassificationId) {
        this.reader = reader;
        this.layout = layout;
        this.source = source;
        this.defaultClassificationId = defaultClassificationId;
    }

    @Override
    public RequestRow next() throws IOException, UnreadableFileException {
        CsvLine csvLine = reader.next();
        if (csvLine != null && layout.hasHeader() && !headerSkipped) {
            headerSkipped = true;
            csvLine = reader.next();
        }
        if (csvLine == null) {
            return null;
        }
        if (!csvLine.readable()) {
            return RequestSource.row(source, csvLine.line(), null, null, csvLine.problem(), csvLine.raw());
        }
        List<String> values = csvLine.values();
        String problem = null;
        if (values.size() != layout.columns()) {
            // a row with a cell too many or too few may have its values shifted: never guess which is the batch
            problem = "expected " + layout.columns() + " column" + (layout.columns() == 1 ? "" : "s")
                    + (layout.hasHeader() ? " as in the header" : "") + ", found " + values.size();
        }
        String classificationId = layout.classificationColumn() < 0
                ? defaultClassificationId : valueAt(values, layout.classificationColumn());
        String batchId = valueAt(values, layout.batchColumn());
        if (problem == null && (CsvLayout.isHeaderName(batchId, CsvLayout.BATCH)
                || CsvLayout.isHeaderName(classificationId, CsvLayout.CLASSIFICATION))) {
            problem = "a header line in the middle of the file (files joined together?)";
        }
        RequestRow row = RequestSource.row(source, csvLine.line(), classificationId, batchId, problem, null);
        // the record as read, for the dead-letter record of a row that cannot be sent: fix it and replay it
        return row.valid() ? row : row.withRaw(reader.format(values));
    }

    private static String valueAt(List<String> values, int column) {
        return column < values.size() ? values.get(column) : null;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
