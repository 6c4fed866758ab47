package io.dalva.spring;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RunConfigSanitizer}.
 */
class RunConfigSanitizerTests {

    private final RunConfigSanitizer sanitizer = new RunConfigSanitizer(Set.of(), List.of());

    @Test
    void valuesOfSecretLookingKeysAreMasked() {
        assertThat(this.sanitizer.sanitize("db.password", "hunter2")).isEqualTo("******");
        assertThat(this.sanitizer.sanitize("DB_PASSWORD", "hunter2")).isEqualTo("******");
        assertThat(this.sanitizer.sanitize("db.pwd", "hunter2")).isEqualTo("******");
        assertThat(this.sanitizer.sanitize("client-secret", "s")).isEqualTo("******");
        assertThat(this.sanitizer.sanitize("api-key", "k")).isEqualTo("******");
        assertThat(this.sanitizer.sanitize("apiKey", "k")).isEqualTo("******");
        assertThat(this.sanitizer.sanitize("auth.token", "t")).isEqualTo("******");
        assertThat(this.sanitizer.sanitize("aws.credentials.id", "AKIA")).isEqualTo("******");
        assertThat(this.sanitizer.sanitize("tls.private-key-file", "/etc/key.pem")).isEqualTo("******");
        assertThat(this.sanitizer.sanitize("vcap.services.db.uri", "x")).isEqualTo("******");
        assertThat(this.sanitizer.sanitize("sun.java.command", "app --db.password=x")).isEqualTo("******");
    }

    @Test
    void keysThatOnlyContainASecretWordAreKept() {
        assertThat(this.sanitizer.sanitize("monkey", "banana")).isEqualTo("banana");
        assertThat(this.sanitizer.sanitize("tokenizer", "bpe")).isEqualTo("bpe");
        assertThat(this.sanitizer.sanitize("learning-rate", "0.01")).isEqualTo("0.01");
    }

    @Test
    void secretsInsideValuesAreMasked() {
        assertThat(this.sanitizer.sanitize("db.url", "postgres://app:pw@db:5432/x"))
            .isEqualTo("postgres://app:******@db:5432/x");
        assertThat(this.sanitizer.sanitize("datasource", "jdbc:postgresql://db:5432/x?user=app&password=s3cr3t&ssl=1"))
            .isEqualTo("jdbc:postgresql://db:5432/x?user=app&password=******&ssl=1");
        assertThat(this.sanitizer.sanitize("auth", "Bearer eyJhbGciOi.x.y")).isEqualTo("Bearer ******");
        assertThat(this.sanitizer.sanitize("site", "https://example.com:8443/a@b"))
            .isEqualTo("https://example.com:8443/a@b");
    }

    @Test
    void valuesEqualToASecretPropertyOfTheApplicationAreMasked() {
        MockEnvironment environment = new MockEnvironment().withProperty("db.pwd", "correct-horse")
            .withProperty("feature.enabled", "true")
            .withProperty("cache.enabled-secret", "true");
        RunConfigSanitizer sanitizer = RunConfigSanitizer.of(environment, List.of());
        assertThat(sanitizer.sanitize("note", "correct-horse")).isEqualTo("******");
        assertThat(sanitizer.sanitize("flag", "true")).isEqualTo("true");
    }

    @Test
    void theApplicationsFunctionsApplyAfterTheBuiltInRules() {
        RunConfigSanitizer sanitizer = new RunConfigSanitizer(Set.of(),
                List.of((key, value) -> key.equals("customer") ? "<hidden>" : value));
        assertThat(sanitizer.sanitize("customer", "ACME")).isEqualTo("<hidden>");
        assertThat(sanitizer.sanitize("region", "eu")).isEqualTo("eu");
        assertThat(Map.of("x", sanitizer.sanitize("db.password", "p"))).containsEntry("x", "******");
    }

}
