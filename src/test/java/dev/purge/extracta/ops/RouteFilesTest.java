package dev.purge.extracta.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.purge.extracta.ExtractaPurgeApplication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The application names its route files one by one (a wildcard would make Camel read the whole jar to find them): a
 * file added to routes/ and not to {@link ExtractaPurgeApplication#ROUTE_FILES}, or one listed that is gone, fails
 * here, named.
 */
class RouteFilesTest {

    @Test
    void theListedRouteFilesAreExactlyTheFilesOfTheRoutesFolder() throws IOException {
        List<String> inFolder;
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            inFolder = files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".camel.yaml"))
                    .sorted().toList();
        }
        assertThat(ExtractaPurgeApplication.ROUTE_FILES).containsExactlyInAnyOrderElementsOf(inFolder);
    }

    @Test
    void everyListedRouteFileIsOnTheClasspathAndThePatternHasNoWildcard() {
        for (String file : ExtractaPurgeApplication.ROUTE_FILES) {
            assertThat(getClass().getClassLoader().getResource("routes/" + file)).as(file).isNotNull();
        }
        assertThat(ExtractaPurgeApplication.ROUTES).doesNotContain("*")
                .startsWith("classpath:routes/beans.camel.yaml,");
    }
}
