package io.dalva.micrometer;

import io.dalva.internal.logging.Log;

import java.util.OptionalInt;

/**
 * The numbers of a run's steps: 0, 1, 2, ... or after the run's highest step, growing,
 * never repeated, up to Dalva's last possible step ({@link Integer#MAX_VALUE}). Used
 * under the registry's step lock only.
 */
final class StepNumbers {

    private static final Log logger = Log.of(StepNumbers.class);

    private int next;

    private boolean exhausted;

    /**
     * Starts after the run's highest step (or at 0 for a run without steps), and after
     * any step this registry used already.
     */
    void startAfter(OptionalInt last, String run) {
        next = Math.max(next, last.isPresent() ? last.getAsInt() + 1 : 0);
        exhausted = last.isPresent() && last.getAsInt() == Integer.MAX_VALUE;
        if (exhausted) {
            logger.warn("{} already holds step {}: nothing will be published.", run, Integer.MAX_VALUE);
        }
    }

    /**
     * @return the number of the next step
     */
    int next() {
        return next;
    }

    /**
     * @return whether Dalva's last possible step is used up
     */
    boolean exhausted() {
        return exhausted;
    }

    /**
     * @return whether a step may have this number (not below the next one)
     */
    boolean allows(int requested) {
        return requested >= 0 && requested >= next;
    }

    /**
     * Uses a number up before its step is sent: a failed request may still have been
     * stored, and Dalva refuses a second write of a path at the same step.
     */
    void use(int step) {
        if (step == Integer.MAX_VALUE) {
            exhausted = true;
            logger.warn("Step {} is Dalva's last possible step: no more steps will be published.", step);
        }
        else {
            next = step + 1;
        }
    }

}
