package dev.purge.extracta.secret;

import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Last line of defence for the secrets: every message that leaves the application through a dead-letter record, a
 * report or a log line (ours or a library's, see {@link SecretMaskingPolicy}) passes through {@link #redact}. The
 * values are registered at startup, by {@link SecretSettings} from the settings and by {@link ExtractaCredentials}
 * for the key it reads from a file.
 */
public final class SecretRedactor {

    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
    private static final String MASK = "****";
    /**
     * A setting whose name says it holds a secret. Not Camel's {@code SensitiveUtils}: its list also holds user names,
     * realms and client ids, and masking every occurrence of a user name such as "postgres" would hide database names
     * and paths all over the log.
     */
    private static final Pattern SECRET_NAME = Pattern.compile("secret|password|passphrase|passwd|key|token");
    /**
     * The value of any URL parameter whose name says it is a secret ({@code …password=}, {@code api_key=},
     * {@code token=}), and the password of a URL's {@code user:password@} (which may hold {@code / ? #}).
     */
    private static final Pattern URL_PASSWORD = Pattern.compile(
            "(?i)(?:^|[?&;,(])[\\w.-]*(?:password|passwd|passphrase|secret|token|key)=([^&;,)#\\s]+)"
                    + "|//[^/?#@\\s:]*:(\\S+?)@");

    private SecretRedactor() {
    }

    /**
     * Registers a secret, and the forms a server may echo it in: JSON-escaped ({@code \\/}, {@code \\"}) and
     * URL-encoded.
     */
    public static void register(String secret) {
        if (secret != null && secret.length() >= 4) {
            SECRETS.add(secret);
            String json = secret.replace("\\", "\\\\").replace("\"", "\\\"");
            SECRETS.add(json);
            SECRETS.add(json.replace("/", "\\/"));
            SECRETS.add(java.net.URLEncoder.encode(secret, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** Whether a setting of this name (property or environment variable) holds a secret: its last segment says so. */
    static boolean isSecretName(String name) {
        return SECRET_NAME.matcher(name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT)).find();
    }

    /** Registers the passwords a URL (or any text) carries in a {@code password=} parameter or its user info. */
    static void registerUrlPasswords(String text) {
        if (text == null) {
            return;
        }
        Matcher m = URL_PASSWORD.matcher(text);
        while (m.find()) {
            register(m.group(1) != null ? m.group(1) : m.group(2));
        }
    }

    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String result = text;
        for (String secret : SECRETS) {
            if (result.contains(secret)) {
                result = result.replace(secret, MASK);
            }
        }
        return result;
    }

    /**
     * {@link #redact(String)} for a text that may have been cut: a secret's first characters (four or more) at its very
     * end are masked too.
     */
    public static String redactTruncated(String text) {
        String result = redact(text);
        if (result == null) {
            return null;
        }
        for (String secret : SECRETS) {
            for (int k = Math.min(secret.length() - 1, result.length()); k >= 4; k--) {
                if (result.endsWith(secret.substring(0, k))) {
                    result = result.substring(0, result.length() - k) + MASK;
                    break;
                }
            }
        }
        return result;
    }

    /** Whether the text holds a registered secret. */
    static boolean containsSecret(String text) {
        if (text != null) {
            for (String secret : SECRETS) {
                if (text.contains(secret)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The throwable itself when no message of it, its causes or suppressed ones holds a secret; otherwise a copy of the
     * chain with the same stack traces whose messages are redacted and name the original class.
     */
    static Throwable redact(Throwable thrown) {
        return thrown == null || !holdsSecret(thrown, new IdentityHashMap<>()) ? thrown
                : copy(thrown, new IdentityHashMap<>());
    }

    private static boolean holdsSecret(Throwable t, Map<Throwable, Boolean> seen) {
        if (seen.put(t, Boolean.TRUE) != null) {
            return false;
        }
        if (containsSecret(t.getMessage()) || containsSecret(t.getLocalizedMessage())) {
            return true;
        }
        for (Throwable s : t.getSuppressed()) {
            if (holdsSecret(s, seen)) {
                return true;
            }
        }
        return t.getCause() != null && holdsSecret(t.getCause(), seen);
    }

    private static Throwable copy(Throwable t, Map<Throwable, Throwable> copies) {
        if (copies.containsKey(t)) {
            // null while its copy is being made: a chain that loops back is cut there
            return copies.get(t);
        }
        copies.put(t, null);
        Throwable cause = t.getCause() == null ? null : copy(t.getCause(), copies);
        String message = t.getLocalizedMessage();
        RedactedThrowable copy = new RedactedThrowable(t.getClass().getName()
                + (message == null ? "" : ": " + redact(message)), cause);
        copy.setStackTrace(t.getStackTrace());
        for (Throwable s : t.getSuppressed()) {
            Throwable suppressed = copy(s, copies);
            if (suppressed != null) {
                copy.addSuppressed(suppressed);
            }
        }
        copies.put(t, copy);
        return copy;
    }

    /** Stands for a throwable whose message held a secret: its message starts with the original class name. */
    static final class RedactedThrowable extends Exception {
        private static final long serialVersionUID = 1L;

        RedactedThrowable(String message, Throwable cause) {
            super(message, cause, true, true);
        }
    }
}
