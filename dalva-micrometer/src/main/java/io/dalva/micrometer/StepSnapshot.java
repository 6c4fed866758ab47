package io.dalva.micrometer;

import io.micrometer.core.instrument.Meter;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The values of one step, path by path, and what was seen while taking it. Taking it
 * takes every meter's step, so it happens under the registry's step lock.
 */
final class StepSnapshot {

    private final Map<String, Double> values = new LinkedHashMap<>();

    private int meters;

    private boolean activity;

    private StepSnapshot() {
    }

    static StepSnapshot take(Iterable<Meter> meters, MeterFolders folders, MeterFields fields, SkippedValues skipped) {
        StepSnapshot snapshot = new StepSnapshot();
        for (Meter meter : meters) {
            Meter.Id id = meter.getId();
            MeterFolders.Folder folder = folders.folder(id);
            if (folder == null) {
                continue;
            }
            snapshot.meters++;
            boolean active = fields.write(meter, (field, value) -> {
                String path = folder.path(field);
                if (Double.isFinite(value)) {
                    snapshot.values.put(path, value);
                }
                else {
                    skipped.skip(id, path, value);
                }
            });
            snapshot.activity |= active;
        }
        return snapshot;
    }

    /**
     * @return every finite value by path, in meter order
     */
    Map<String, Double> values() {
        return values;
    }

    /**
     * @return how many meters were published
     */
    int meters() {
        return meters;
    }

    /**
     * @return whether a counter, timer or summary recorded anything since the previous
     * step
     */
    boolean activity() {
        return activity;
    }

}
