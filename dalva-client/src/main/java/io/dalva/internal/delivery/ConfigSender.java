package io.dalva.internal.delivery;

import static io.dalva.internal.delivery.SenderState.reason;
import static io.dalva.internal.delivery.SenderState.retryable;

import io.dalva.client.DalvaConflictException;
import io.dalva.client.DalvaException;
import io.dalva.client.internal.Values;
import io.dalva.internal.journal.JournalEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Delivers a {@code config_logged} event. The server stores a config all or nothing and
 * names only the first key it refuses, so a 409 is resolved against the config it holds:
 * keys it holds with the same value were delivered, with another value they are reported,
 * and the rest is sent again.
 */
final class ConfigSender {

    private final SenderState state;

    ConfigSender(SenderState state) {
        this.state = state;
    }

    /**
     * Sends the event's config until it is stored or reported; false only when the sender
     * stops first.
     */
    boolean send(JournalEvent event) {
        Map<String, Object> config = new LinkedHashMap<>(event.config());
        for (int retry = 0; !config.isEmpty(); retry++) {
            try {
                state.client().logConfig(state.manifest().serverId(), config);
                return true;
            }
            catch (DalvaConflictException e) {
                // All or nothing, and the server names only the first key: compare with
                // what it holds.
                int before = config.size();
                try {
                    dropStoredKeys(config, state.client().getConfig(state.manifest().serverId()));
                }
                catch (DalvaException readFailure) {
                    if (!retryable(readFailure)) {
                        return rejectConfig(config, readFailure);
                    }
                    if (!state.sleepBeforeRetry(retry, "read the config", readFailure)) {
                        return false;
                    }
                    continue;
                }
                if (config.size() == before) {
                    return rejectConfig(config, e);
                }
            }
            catch (DalvaException e) {
                if (!retryable(e)) {
                    return rejectConfig(config, e);
                }
                if (!state.sleepBeforeRetry(retry, "log config", e)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Removes the keys the server holds: with the same value they were delivered, else
     * they are reported.
     */
    private void dropStoredKeys(Map<String, Object> config, Map<String, Object> stored) {
        config.entrySet().removeIf(entry -> {
            if (!stored.containsKey(entry.getKey())) {
                return false;
            }
            Object held = stored.get(entry.getKey());
            if (!Values.sameValue(held, entry.getValue())) {
                state.report(entry.getKey(), null, 409,
                        "config key already exists with value " + held + " (logged: " + entry.getValue() + ")");
            }
            return true;
        });
    }

    private boolean rejectConfig(Map<String, Object> config, DalvaException e) {
        config.keySet().forEach(key -> state.report(key, null, e.status(), reason(e)));
        return true;
    }

}
