package dev.purge.extracta.request;

/**
 * Loose allow-list for Extracta IDs. The vendor types IDs only as "string"; public examples are Firebase push IDs
 * ({@code -_}, letters, digits) and 10-character alphanumerics. We accept ASCII letters, digits and {@code - _ . : ~
 * + = @}, 1 to 128 characters: no whitespace, control characters, quotes, slashes or look-alike Unicode letters.
 */
public final class IdValidator {

    public static final int MAX_LENGTH = 128;
    private static final String ALLOWED_PUNCTUATION = "-_.:~+=@";

    private IdValidator() {
    }

    /** Returns why the value is not an acceptable ID, or null when it is. */
    public static String problem(String field, String value) {
        if (value == null || value.isEmpty()) {
            return field + " is missing or empty";
        }
        if (value.length() > MAX_LENGTH) {
            return field + " is longer than " + MAX_LENGTH + " characters (" + value.length() + ")";
        }
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            if (!isAllowed(cp)) {
                return field + " contains " + describe(cp) + " at position " + (i + 1);
            }
            i += Character.charCount(cp);
        }
        return null;
    }

    private static boolean isAllowed(int cp) {
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')
                || ALLOWED_PUNCTUATION.indexOf(cp) >= 0;
    }

    private static String describe(int cp) {
        if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
            return String.format("whitespace (U+%04X)", cp);
        }
        if (Character.isISOControl(cp)) {
            return String.format("a control character (U+%04X)", cp);
        }
        if (cp == '"' || cp == '\'' || cp == '`') {
            return String.format("a quote (U+%04X)", cp);
        }
        if (cp == '/' || cp == '\\') {
            return String.format("a slash (U+%04X)", cp);
        }
        return String.format("a character that is not allowed (U+%04X)", cp);
    }
}
