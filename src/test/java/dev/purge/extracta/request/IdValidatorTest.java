package dev.purge.extracta.request;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdValidatorTest {

    @ParameterizedTest
    @ValueSource(strings = {"-OPXR1F82I0cRYJPcHNo", "b9dAUzUVlw", "a", "Z", "0", "a-b_c.d:e~f+g=h@i",
            "-_-_", "ABCxyz0189"})
    void accepts(String id) {
        assertThat(IdValidator.problem("batchId", id)).isNull();
    }

    @Test
    void accepts128Characters() {
        assertThat(IdValidator.problem("batchId", "a".repeat(128))).isNull();
        assertThat(IdValidator.problem("batchId", "x".repeat(127) + "-")).isNull();
    }

    @Test
    void rejectsNullAndEmpty() {
        assertThat(IdValidator.problem("batchId", null)).isEqualTo("batchId is missing or empty");
        assertThat(IdValidator.problem("classificationId", "")).isEqualTo("classificationId is missing or empty");
    }

    @Test
    void rejects129Characters() {
        assertThat(IdValidator.problem("batchId", "a".repeat(129)))
                .isEqualTo("batchId is longer than 128 characters (129)");
    }

    @ParameterizedTest
    @ValueSource(strings = {" ", "a b", "ab ", " ab", "a\tb", "a\u0001b", "a\u007Fb", "a\nb", "a\rb", "a\"b",
            "a'b", "a`b", "a/b", "a\\b", "{\"a\":1}", "a,b", "a;b", "a#b", "a?b", "a%2Fb", "a&b", "a<b>",
            "\u0430bc",              // Cyrillic small a
            "b9dAUzUVlw\u0430",      // Cyrillic a at the end
            "\uFF21\uFF22\uFF23",    // fullwidth ABC
            "\uFF41bc",              // fullwidth a
            "caf\u00E9",             // é
            "a\u00A0b",              // no-break space
            "a\u200Bb",              // zero-width space
            "\uFEFFabc",             // byte order mark
            "a\uD83D\uDE00",         // emoji
            "\u0661\u0662"})         // Arabic-Indic digits
    void rejects(String id) {
        String problem = IdValidator.problem("batchId", id);
        assertThat(problem).as("problem for %s", id).isNotNull().startsWith("batchId ");
    }

    @Test
    void messageNamesTheFieldTheCharacterAndItsPosition() {
        assertThat(IdValidator.problem("classificationId", "ab cd"))
                .isEqualTo("classificationId contains whitespace (U+0020) at position 3");
        assertThat(IdValidator.problem("batchId", "a\tb")).isEqualTo("batchId contains whitespace (U+0009) at position 2");
        assertThat(IdValidator.problem("batchId", "a\u0001"))
                .isEqualTo("batchId contains a control character (U+0001) at position 2");
        assertThat(IdValidator.problem("batchId", "\"x\"")).isEqualTo("batchId contains a quote (U+0022) at position 1");
        assertThat(IdValidator.problem("batchId", "x'")).isEqualTo("batchId contains a quote (U+0027) at position 2");
        assertThat(IdValidator.problem("batchId", "a/b")).isEqualTo("batchId contains a slash (U+002F) at position 2");
        assertThat(IdValidator.problem("batchId", "a\\b")).isEqualTo("batchId contains a slash (U+005C) at position 2");
        assertThat(IdValidator.problem("batchId", "{\"a\":1}"))
                .isEqualTo("batchId contains a character that is not allowed (U+007B) at position 1");
        assertThat(IdValidator.problem("batchId", "b\u0430"))
                .isEqualTo("batchId contains a character that is not allowed (U+0430) at position 2");
        assertThat(IdValidator.problem("batchId", "\uFF21"))
                .isEqualTo("batchId contains a character that is not allowed (U+FF21) at position 1");
    }

    @Test
    void supplementaryCharacterIsReportedAsOneCodePoint() {
        assertThat(IdValidator.problem("batchId", "a\uD83D\uDE00"))
                .isEqualTo("batchId contains a character that is not allowed (U+1F600) at position 2");
    }

    @Test
    void lengthIsCheckedBeforeCharacters() {
        assertThat(IdValidator.problem("batchId", " ".repeat(200))).startsWith("batchId is longer than 128");
    }
}
