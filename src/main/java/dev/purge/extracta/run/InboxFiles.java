package dev.purge.extracta.run;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.file.FileEndpoint;

/** The files the inbox route would take, by its own endpoint's folder and include pattern: one rule, one place. */
public final class InboxFiles {

    /** Id of the route whose file endpoint is the inbox. */
    static final String INBOX_ROUTE_ID = "inbox";

    private InboxFiles() {
    }

    /** The inbox route's file endpoint, or null (no such route, as in a test without routes). */
    public static FileEndpoint endpoint(CamelContext context) {
        Route route = context == null ? null : context.getRoute(INBOX_ROUTE_ID);
        return route != null && route.getEndpoint() instanceof FileEndpoint inbox ? inbox : null;
    }

    /**
     * The entries of {@code folder} whose names the inbox endpoint's include pattern takes, sorted: files, and whatever
     * else has such a name (a folder called {@code x.csv}, a pipe), for the caller to say so.
     */
    public static List<Path> inputsIn(Path folder, FileEndpoint inbox) throws IOException {
        Pattern include = inbox.getIncludePattern();
        List<Path> inputs = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path file : files) {
                if (include == null || include.matcher(file.getFileName().toString()).matches()) {
                    inputs.add(file);
                }
            }
        }
        inputs.sort(null);
        return inputs;
    }
}
