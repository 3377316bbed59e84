package dev.purge.extracta.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts the packaged jar as a separate process, as an operator runs it. */
public final class JarProcess {

    /** The key given to jar processes: the leak scan greps every output for it. */
    public static final String API_KEY = "xk-jar-3e9b52-NEVER-LOGGED";

    private JarProcess() {
    }

    /** A WireMock server on loopback as the API, its GET /credits accepting the key. */
    public static com.github.tomakehurst.wiremock.WireMockServer startApi() {
        com.github.tomakehurst.wiremock.WireMockServer api = new com.github.tomakehurst.wiremock.WireMockServer(
                com.github.tomakehurst.wiremock.core.WireMockConfiguration.options().bindAddress("127.0.0.1")
                        .dynamicPort());
        api.start();
        TestApp.stubCredits(api);
        return api;
    }

    /** A fresh working folder for one jar test under target/it-work. */
    public static Path workDir(String name) throws IOException {
        return java.nio.file.Files.createDirectories(Path.of("target", "it-work", name + "-" + System.nanoTime())
                .toAbsolutePath());
    }

    public static Process start(Path workDir, Path log, Map<String, String> env, String... jvmOptions) throws IOException {
        return start(workDir, log, env, List.of(jvmOptions), List.of());
    }

    /** With arguments for the application itself, such as {@code --once file}. */
    public static Process start(Path workDir, Path log, Map<String, String> env, List<String> jvmOptions,
            List<String> programArgs) throws IOException {
        String jar = System.getProperty("app.jar");
        assertThat(jar).as("app.jar system property (set by failsafe)").isNotNull();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(Path.of(jar).toAbsolutePath().toString());
        cmd.addAll(programArgs);
        ProcessBuilder builder = new ProcessBuilder(cmd).directory(workDir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("EXTRACTA_"));
        // any free management port: several jars (and other builds) may run at once
        builder.environment().put("EXTRACTA_MANAGEMENT_PORT", "0");
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return builder.start();
    }
}
