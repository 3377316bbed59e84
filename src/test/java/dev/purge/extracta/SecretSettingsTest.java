package dev.purge.extracta;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The secret values of the settings are registered for masking at start. */
class SecretSettingsTest {

    @Test
    void aPasswordOfAnotherUrlParameterIsMaskedWhereverTheUrlIsPrinted() throws Exception {
        String sslPassword = "fake-ssl-pw-70d3aa";
        try (TestApp app = TestApp.start("ssl-password", Map.of("extracta.jdbc.url",
                "jdbc:postgresql://127.0.0.1:5432/extracta?sslpassword=" + sslPassword))) {
            String printed = "extracta.jdbc.url = jdbc:postgresql://127.0.0.1:5432/extracta?sslpassword=" + sslPassword;
            assertThat(SecretRedactor.redact(printed)).doesNotContain(sslPassword).endsWith("sslpassword=****");
        }
    }

    @Test
    void secretsOfAnySettingWhoseNameSaysSoAreMasked() throws Exception {
        String token = "fake-token-2c9f41";
        try (TestApp app = TestApp.start("secret-names", Map.of("extracta.webhook.token", token))) {
            assertThat(SecretRedactor.redact("the token " + token)).isEqualTo("the token ****");
            assertThat(SecretRedactor.redact("dev.purge.extracta.ExtractaCredentials"))
                    .as("a bean reference of a setting named like a secret is no secret")
                    .isEqualTo("dev.purge.extracta.ExtractaCredentials");
        }
    }
}
