package io.dalva.spring;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * What the application's requests to the Dalva server have met lately, recorded as they
 * pass: the last answer, the last failure (no connection, a timeout, a 5xx) and how many
 * requests in a row have failed. The health contribution reports it.
 */
final class ServerAnswers implements Interceptor {

    private volatile Instant lastSuccess;

    private volatile Instant lastFailure;

    private volatile String lastError;

    private final AtomicLong consecutiveFailures = new AtomicLong();

    @Override
    public Response intercept(Chain chain) throws IOException {
        Response response;
        try {
            response = chain.proceed(chain.request());
        }
        catch (IOException | RuntimeException ex) {
            failed(ex.getClass().getSimpleName() + ": " + ex.getMessage());
            throw ex;
        }
        if (response.code() >= 500) {
            failed("HTTP " + response.code() + " from " + chain.request().method() + " "
                    + chain.request().url().encodedPath());
        }
        else {
            this.lastSuccess = Instant.now();
            this.consecutiveFailures.set(0);
        }
        return response;
    }

    private void failed(String error) {
        this.lastError = error;
        this.lastFailure = Instant.now();
        this.consecutiveFailures.incrementAndGet();
    }

    /** Whether the most recent request failed. */
    boolean failing() {
        return this.consecutiveFailures.get() > 0;
    }

    /** The status as health details. */
    Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("lastSuccess", (this.lastSuccess != null) ? this.lastSuccess.toString() : "none");
        if (this.lastFailure != null) {
            details.put("lastFailure", this.lastFailure.toString());
            details.put("lastError", this.lastError);
        }
        details.put("consecutiveFailures", this.consecutiveFailures.get());
        return details;
    }

}
