package io.dalva.test;

import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The contract scenarios against a real Dalva server, when {@code DALVA_CONTRACT_URL}
 * points at one (for example {@code http://127.0.0.1:8000}). CI does not set it.
 */
@EnabledIfEnvironmentVariable(named = "DALVA_CONTRACT_URL", matches = ".+")
class RealServerContractTest extends DalvaContract {

    @Override
    String baseUrl() {
        String url = System.getenv("DALVA_CONTRACT_URL");
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

}
