package dev.purge.extracta;

import java.util.List;
import java.util.Locale;

/**
 * Where the two IDs are in a CSV file, decided from its first non-blank record: a header naming
 * {@code classificationId} and {@code batchId} (any order, any case, extra columns ignored), a header with only
 * {@code batchId} when a default classification is set, or no header with two columns (classificationId, batchId) or
 * one column (batchId, default classification).
 *
 * @param hasHeader            whether the first record is a header
 * @param classificationColumn column of classificationId, or -1 when the default applies
 * @param batchColumn          column of batchId
 * @param columns              number of columns every row must have: the header's, or 1 or 2 without one
 */
record CsvLayout(boolean hasHeader, int classificationColumn, int batchColumn, int columns) {

    static final String CLASSIFICATION = "classificationid";
    static final String BATCH = "batchid";

    static CsvLayout of(CsvLine first, boolean hasDefaultClassification) throws UnreadableFileException {
        List<String> values = first.values();
        int classification = indexOf(values, CLASSIFICATION);
        int batch = indexOf(values, BATCH);
        if (classification >= 0 || batch >= 0) {
            if (batch < 0) {
                throw new UnreadableFileException("header has no batchId column", first.line());
            }
            if (classification < 0 && !hasDefaultClassification) {
                throw new UnreadableFileException("header has no classificationId column and "
                        + "extracta.default-classification-id is not set", first.line());
            }
            return new CsvLayout(true, classification, batch, values.size());
        }
        return switch (values.size()) {
            case 2 -> new CsvLayout(false, 0, 1, 2);
            case 1 -> {
                if (!hasDefaultClassification) {
                    throw new UnreadableFileException("a headerless file with one column (batchId) needs "
                            + "extracta.default-classification-id", first.line());
                }
                yield new CsvLayout(false, -1, 0, 1);
            }
            default -> throw new UnreadableFileException("a headerless file must have 1 or 2 columns, found "
                    + values.size(), first.line());
        };
    }

    /** Header names match ignoring case, spaces, dashes and underscores ({@code batch_id}, {@code Batch ID}). */
    static boolean isHeaderName(String value, String normalizedName) {
        return value != null && value.toLowerCase(Locale.ROOT).replaceAll("[\\s_\\-]", "").equals(normalizedName);
    }

    private static int indexOf(List<String> header, String normalizedName) {
        for (int i = 0; i < header.size(); i++) {
            if (isHeaderName(header.get(i), normalizedName)) {
                return i;
            }
        }
        return -1;
    }
}
