package io.dalva.client;

import java.util.Locale;

/** The state of a run, as Dalva stores it. */
public enum RunState {

    RUNNING, COMPLETED, FAILED;

    /** The server's spelling: {@code running}, {@code completed}, {@code failed}. */
    public String apiValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    static RunState fromApiValue(String value) {
        for (RunState state : values()) {
            if (state.apiValue().equals(value)) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown run state '" + value + "'");
    }

}
