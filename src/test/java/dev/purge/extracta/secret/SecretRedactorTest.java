package dev.purge.extracta.secret;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The forms of a secret a server may echo it in are masked too. */
class SecretRedactorTest {

    private static final String KEY = "xk\"red\\SEC+RET/12%34=";

    @Test
    void aKeyEchoedJsonEscapedOrUrlEncodedIsMasked() {
        SecretRedactor.register(KEY);
        String json = "{\"message\":\"bad auth header: Bearer xk\\\"red\\\\SEC+RET/12%34=\"}";
        String slashEscaped = "{\"message\":\"Bearer xk\\\"red\\\\SEC+RET\\/12%34=\"}";
        String urlEncoded = "bad key " + URLEncoder.encode(KEY, StandardCharsets.UTF_8);
        assertThat(SecretRedactor.redact(json)).isEqualTo("{\"message\":\"bad auth header: Bearer ****\"}");
        assertThat(SecretRedactor.redact(slashEscaped)).isEqualTo("{\"message\":\"Bearer ****\"}");
        assertThat(SecretRedactor.redact(urlEncoded)).isEqualTo("bad key ****");
    }

    @Test
    void aSecretUrlParameterOrAPasswordWithSlashesIsRegisteredFromTheUrl() {
        SecretRedactor.registerUrlPasswords("https://api.example/v1?x=1&api_key=fake-param-3b8e1a&y=2");
        SecretRedactor.registerUrlPasswords("jdbc:postgresql://user:fake/pw#7c2d@db:5432/x");
        assertThat(SecretRedactor.redact("key fake-param-3b8e1a and fake/pw#7c2d")).isEqualTo("key **** and ****");
    }
}
