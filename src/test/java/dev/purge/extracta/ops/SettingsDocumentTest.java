package dev.purge.extracta.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.purge.extracta.ops.Settings.Setting;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * README's Configure table, application.properties and the table of ranges in {@link Settings} name the same settings:
 * a setting in one place only, or a README row whose environment variable, default or range differs from the code's,
 * fails here, named.
 */
class SettingsDocumentTest {

    private static final Path PROPERTIES = Path.of("src", "main", "resources", "application.properties");
    private static final Path README = Path.of("README.md");

    @Test
    void readmeApplicationPropertiesAndTheRangeTableAgree() throws IOException {
        Map<String, String> declared = declaredSettings();
        Map<String, List<String>> documented = readmeRows();
        Map<String, Setting> table = new LinkedHashMap<>();
        Arrays.stream(Setting.values()).forEach(s -> table.put(s.key(), s));
        List<String> differences = new ArrayList<>();

        for (String key : declared.keySet()) {
            if (!table.containsKey(key)) {
                differences.add(key + " is in application.properties but not in the table of Settings");
            }
            if (!documented.containsKey(key)) {
                differences.add(key + " is in application.properties but not in README's Configure table");
            }
        }
        for (Setting setting : table.values()) {
            if (setting.declaredInProperties() && !declared.containsKey(setting.key())) {
                differences.add(setting.key() + " is in the table of Settings but not in application.properties");
            }
            if (!setting.declaredInProperties() && declared.containsKey(setting.key())) {
                differences.add(setting.key() + " is in application.properties, but Settings says it is not");
            }
            List<String> row = documented.get(setting.key());
            if (row == null) {
                differences.add(setting.key() + " is in the table of Settings but not in README's Configure table");
                continue;
            }
            expectCell(differences, setting, "environment variable", row.get(1), "`" + setting.environmentVariable() + "`");
            expectCell(differences, setting, "range", row.get(3), setting.rule().range());
            String value = declared.get(setting.key());
            if (value != null && !value.contains("{{")) {
                // a default built from other settings ({{extracta.data-dir}}/inbox) is written for people in README
                expectCell(differences, setting, "default", row.get(2).replace("\\|", "|"),
                        value.isEmpty() ? "(none)" : "`" + value + "`");
            }
            if (row.get(4).isBlank()) {
                differences.add(setting.key() + ": README's meaning is empty");
            }
        }
        for (String key : documented.keySet()) {
            if (!table.containsKey(key)) {
                differences.add(key + " is in README's Configure table but not in the table of Settings");
            }
        }
        assertThat(differences).as("README, application.properties and Settings differ").isEmpty();
    }

    @Test
    void everyDeclaredSettingHasACommentAboveIt() throws IOException {
        List<String> lines = Files.readAllLines(PROPERTIES, StandardCharsets.UTF_8);
        List<String> bare = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("extracta.") && (i == 0 || !lines.get(i - 1).startsWith("# "))) {
                bare.add(lines.get(i));
            }
        }
        assertThat(bare).as("settings without a comment line above them").isEmpty();
    }

    /** The extracta.* keys of application.properties and their values, as Camel reads them. */
    private static Map<String, String> declaredSettings() throws IOException {
        String text = Files.readString(PROPERTIES, StandardCharsets.UTF_8);
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        Map<String, String> declared = new LinkedHashMap<>();
        properties.stringPropertyNames().stream().filter(k -> k.startsWith("extracta.")).sorted()
                .forEach(k -> declared.put(k, properties.getProperty(k)));
        return declared;
    }

    /** The rows of README's Configure table: key to its cells (property, variable, default, range, meaning). */
    private static Map<String, List<String>> readmeRows() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int start = readme.indexOf("\n## Configure\n");
        assertThat(start).as("README has a Configure section").isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String line : readme.substring(start, end < 0 ? readme.length() : end).split("\n")) {
            if (!line.startsWith("| `extracta.")) {
                continue;
            }
            List<String> cells = Arrays.stream(line.substring(1, line.length() - 1).split("(?<!\\\\)\\|"))
                    .map(String::strip).toList();
            assertThat(cells).as("README row %s has 5 cells", line).hasSize(5);
            String key = cells.get(0).replace("`", "");
            assertThat(rows.put(key, cells)).as("README lists %s once", key).isNull();
        }
        return rows;
    }

    private static void expectCell(List<String> differences, Setting setting, String column, String actual,
            String expected) {
        if (!actual.equals(expected)) {
            differences.add(setting.key() + ": README's " + column + " is " + actual + ", the code says " + expected);
        }
    }
}
