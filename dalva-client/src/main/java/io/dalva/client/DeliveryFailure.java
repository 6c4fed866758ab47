package io.dalva.client;

/**
 * A value the server rejected for good (a genuine 409 conflict, a 422, a run that no
 * longer exists): it is reported, never retried, and never holds back what was logged
 * after it.
 *
 * @param run the run, as its {@code run_id} (like {@code "DEM-7"}) when known, else its
 * local spool id
 * @param path the metric path or config key
 * @param step the step, or {@code null} for a scalar metric or a config key
 * @param status the server's HTTP status (409 conflict, 422 invalid, 404 run gone), 0
 * when the client refused to send the value
 * @param reason the server's words
 */
public record DeliveryFailure(String run, String path, Integer step, int status, String reason) {

    @Override
    public String toString() {
        return "run " + run + ", " + path + (step == null ? "" : " at step " + step) + ": " + reason;
    }
}
