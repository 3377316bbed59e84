package dev.purge.extracta.ingest;

import dev.purge.extracta.run.UnreadableFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where the two IDs are in a CSV file, decided from its first non-blank record and {@code extracta.csv.header}:
 * <ul>
 * <li>a header names {@code classificationId} and {@code batchId} (any order, any case; other columns are then
 * ignored), or only {@code batchId} when a default classification is set (then it has no other column: an unknown
 * name next to one accepted name may be the other ID misspelt, and is never guessed);</li>
 * <li>without a header, two columns (classificationId, batchId) or one column (batchId, default classification).</li>
 * </ul>
 * In {@code auto} mode a first line that names no accepted column but looks like a header (a cell that cannot be an
 * ID, or a usual column name such as {@code id}, {@code batch}, {@code name}, anything ending in {@code id}) refuses the
 * file: its rows would otherwise be sent with the header as a data row, or with the columns guessed.
 *
 * @param hasHeader            whether the first record is a header
 * @param classificationColumn column of classificationId, or -1 when the default applies
 * @param batchColumn          column of batchId
 * @param columns              number of columns every row must have: the header's, or 1 or 2 without one
 */
record CsvLayout(boolean hasHeader, int classificationColumn, int batchColumn, int columns) {

    static final String CLASSIFICATION = "classificationid";
    static final String BATCH = "batchid";
    static final String ACCEPTED_NAMES = "classificationId and batchId (any case, with spaces, - or _ between the "
            + "words: batch_id, Batch ID)";
    static final String HEADERLESS_OPTION = "a file without a header needs extracta.csv.header=absent";

    /** How the first line of a CSV file (or CSV message) is taken: {@code extracta.csv.header}. */
    enum HeaderMode {
        /** A header when it names an accepted column; refused when it looks like a header but names none. */
        AUTO,
        /** The first line must be a header naming the accepted columns. */
        PRESENT,
        /** No header: the first line is data. */
        ABSENT;

        static HeaderMode of(String setting) {
            String value = setting == null ? "" : setting.strip().toLowerCase(Locale.ROOT);
            return switch (value) {
                case "", "auto" -> AUTO;
                case "present" -> PRESENT;
                case "absent" -> ABSENT;
                default -> throw new IllegalArgumentException("extracta.csv.header must be auto, present or absent, "
                        + "was '" + setting + "'");
            };
        }
    }

    /** Usual column names that are never taken for an ID on a first line (compared without case, spaces, - _ .). */
    private static final Set<String> COLUMN_WORDS = Set.of("id", "ids", "batch", "batches", "batchno", "batchnumber",
            "classification", "classifications", "class", "classname", "type", "name", "key", "value", "file",
            "files", "fileids", "document", "documents", "doc", "extraction", "extractions", "uuid", "guid", "status",
            "date", "time", "created", "createdat", "updatedat", "note", "notes", "comment", "comments", "description",
            "label", "tag", "tags", "account", "customer", "project", "owner", "reason");

    static CsvLayout of(CsvLine first, boolean hasDefaultClassification) throws UnreadableFileException {
        return of(first, hasDefaultClassification, HeaderMode.AUTO);
    }

    static CsvLayout of(CsvLine first, boolean hasDefaultClassification, HeaderMode mode)
            throws UnreadableFileException {
        if (!first.readable()) {
            throw new UnreadableFileException("the first line cannot be read, so neither a header nor the columns "
                    + "can be: " + first.problem(), first.line());
        }
        List<String> values = first.values();
        if (mode != HeaderMode.ABSENT) {
            List<Integer> classification = indexesOf(values, CLASSIFICATION);
            List<Integer> batch = indexesOf(values, BATCH);
            if (!classification.isEmpty() || !batch.isEmpty()) {
                return header(first, classification, batch, hasDefaultClassification);
            }
            if (mode == HeaderMode.PRESENT) {
                throw new UnreadableFileException("the first line is not a header naming " + ACCEPTED_NAMES
                        + " (extracta.csv.header=present)", first.line());
            }
            String headerLike = headerLikeCell(values);
            if (headerLike != null) {
                throw new UnreadableFileException("the first line looks like a header ('" + cut(headerLike)
                        + "') but names no accepted column: name the columns " + ACCEPTED_NAMES + "; "
                        + HEADERLESS_OPTION, first.line());
            }
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

    private static CsvLayout header(CsvLine first, List<Integer> classification, List<Integer> batch,
                                    boolean hasDefaultClassification) throws UnreadableFileException {
        List<String> values = first.values();
        if (classification.size() > 1 || batch.size() > 1) {
            throw new UnreadableFileException("the header names " + (batch.size() > 1 ? "batchId" : "classificationId")
                    + " more than once: which column holds it cannot be told", first.line());
        }
        if (batch.isEmpty()) {
            throw new UnreadableFileException("the header has no batchId column; accepted names: " + ACCEPTED_NAMES,
                    first.line());
        }
        if (classification.isEmpty()) {
            for (int i = 0; i < values.size(); i++) {
                if (i != batch.get(0)) {
                    throw new UnreadableFileException("the header names batchId and an unknown column '"
                            + cut(values.get(i)) + "' (a misspelt classificationId?): accepted names: "
                            + ACCEPTED_NAMES + "; with extracta.default-classification-id set, a header may name "
                            + "batchId alone", first.line());
                }
            }
            if (!hasDefaultClassification) {
                throw new UnreadableFileException("the header has no classificationId column and "
                        + "extracta.default-classification-id is not set", first.line());
            }
            return new CsvLayout(true, -1, batch.get(0), values.size());
        }
        return new CsvLayout(true, classification.get(0), batch.get(0), values.size());
    }

    /** The first cell that makes the line look like a header rather than IDs, or null. */
    private static String headerLikeCell(List<String> values) {
        for (String value : values) {
            if (value.isEmpty()) {
                continue;
            }
            String name = normalized(value); // "Batch Number", "batch-no"
            if (name.chars().allMatch(Character::isLetter)
                    && (COLUMN_WORDS.contains(name) || name.endsWith("id") || name.endsWith("ids")
                    || name.endsWith("name"))) {
                return value;
            }
        }
        return null;
    }

    /**
     * Header names match ignoring case, spaces, dashes and underscores ({@code batch_id}, {@code Batch ID}). Asked of
     * every row (a header line in the middle of a file), so it compares in place instead of building strings.
     */
    static boolean isHeaderName(String value, String normalizedName) {
        if (value == null) {
            return false;
        }
        int matched = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r' || c == '_' || c == '-') {
                continue;
            }
            char lower = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c; // names are ASCII: so is the match
            if (matched == normalizedName.length() || lower != normalizedName.charAt(matched)) {
                return false;
            }
            matched++;
        }
        return matched == normalizedName.length();
    }

    private static String normalized(String value) {
        return value.toLowerCase(Locale.ROOT).replaceAll("[\\s_\\-.]", "");
    }

    private static List<Integer> indexesOf(List<String> header, String normalizedName) {
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            if (isHeaderName(header.get(i), normalizedName)) {
                found.add(i);
            }
        }
        return found;
    }

    private static String cut(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "…";
    }
}
