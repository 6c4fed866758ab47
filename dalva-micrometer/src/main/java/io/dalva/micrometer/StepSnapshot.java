package io.dalva.micrometer;

import io.dalva.run.MetricsBuffer;
import io.micrometer.core.instrument.Meter;

/**
 * Takes one step of every meter into a {@link MetricsBuffer}: each meter's fields grouped
 * under its folder ({@code {"name/series":{"count":3.0,"sum":0.12}}}), encoded once.
 * Taking it takes every meter's step, so it happens under the registry's step lock.
 */
final class StepSnapshot {

    private final MetricsBuffer buffer = new MetricsBuffer();

    private final MeterFolders folders;

    private final MeterFields fields;

    private final SkippedValues skipped;

    private int meters;

    private boolean activity;

    StepSnapshot(MeterFolders folders, MeterFields fields, SkippedValues skipped) {
        this.folders = folders;
        this.fields = fields;
        this.skipped = skipped;
    }

    /** Takes the step of {@code meters}, replacing the previous one. */
    void take(Iterable<Meter> meters) {
        buffer.clear();
        this.meters = 0;
        this.activity = false;
        for (Meter meter : meters) {
            Meter.Id id = meter.getId();
            MeterFolders.Folder folder = folders.folder(id);
            if (folder == null) {
                continue;
            }
            this.meters++;
            buffer.group(folder.key());
            activity |= fields.write(meter, (field, value) -> {
                if (Double.isFinite(value)) {
                    buffer.value(folders.field(field), value);
                }
                else {
                    skipped.skip(id, folder.path(field), value);
                }
            });
        }
        buffer.endGroup();
    }

    /**
     * @return every finite value of the step, encoded
     */
    MetricsBuffer values() {
        return buffer;
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
