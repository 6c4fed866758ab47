package io.dalva.spring;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ApplicationRunConfig}.
 */
class ApplicationRunConfigTests {

    @Test
    void valuesOfSecretLookingKeysAreMasked() {
        assertThat(ApplicationRunConfig.sanitize("db.password", "hunter2")).isEqualTo("******");
        assertThat(ApplicationRunConfig.sanitize("DB_PASSWORD", "hunter2")).isEqualTo("******");
        assertThat(ApplicationRunConfig.sanitize("client-secret", "s")).isEqualTo("******");
        assertThat(ApplicationRunConfig.sanitize("api-key", "k")).isEqualTo("******");
        assertThat(ApplicationRunConfig.sanitize("apiKey", "k")).isEqualTo("******");
        assertThat(ApplicationRunConfig.sanitize("auth.token", "t")).isEqualTo("******");
        assertThat(ApplicationRunConfig.sanitize("aws.credentials.id", "AKIA")).isEqualTo("******");
        assertThat(ApplicationRunConfig.sanitize("tls.private-key-file", "/etc/key.pem")).isEqualTo("******");
    }

    @Test
    void otherValuesAreKeptWithUrlPasswordsMasked() {
        assertThat(ApplicationRunConfig.sanitize("learning-rate", "0.01")).isEqualTo("0.01");
        assertThat(ApplicationRunConfig.sanitize("tokenizer", "bpe")).isEqualTo("bpe");
        assertThat(ApplicationRunConfig.sanitize("db.url", "postgres://app:pw@db:5432/x"))
            .isEqualTo("postgres://app:******@db:5432/x");
        assertThat(ApplicationRunConfig.sanitize("site", "https://example.com:8443/a@b"))
            .isEqualTo("https://example.com:8443/a@b");
    }

    @Test
    void describesTheApplicationAndLetsTheUserOverride() {
        MockEnvironment environment = new MockEnvironment();
        environment.setActiveProfiles("prod", "eu");
        Map<String, String> user = new LinkedHashMap<>();
        user.put("model", "resnet");
        user.put("host.name", "pinned-host");
        Map<String, String> config = ApplicationRunConfig.of(user, "orders", environment);
        assertThat(config).containsEntry("application.name", "orders")
            .containsEntry("application.profiles", "prod,eu")
            .containsEntry("java.version", System.getProperty("java.version"))
            .containsEntry("model", "resnet")
            .containsEntry("host.name", "pinned-host")
            .containsKeys("spring-boot.version", "micrometer.version");
    }

    @Test
    void withoutActiveProfilesRecordsTheDefaultProfile() {
        assertThat(ApplicationRunConfig.of(Map.of(), "orders", new MockEnvironment()))
            .containsEntry("application.profiles", "default");
    }

}
