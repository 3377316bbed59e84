package dev.purge.extracta;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Last line of defence for the API key: every message that leaves the application through a dead-letter record, a
 * report or a log line written by our beans passes through {@link #redact}. The key is registered at startup.
 */
public final class SecretRedactor {

    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
    private static final String MASK = "****";

    private SecretRedactor() {
    }

    public static void register(String secret) {
        if (secret != null && secret.length() >= 4) {
            SECRETS.add(secret);
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
}
