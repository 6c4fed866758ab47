package io.dalva.micrometer;

import io.dalva.internal.logging.Log;
import io.dalva.run.MetricsBuffer;
import io.micrometer.core.instrument.Meter;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The folder of every published meter, built once per meter, and the guard that two
 * meters never share one: when a second meter maps to a folder that another meter owns,
 * it is not published, logged once.
 */
final class MeterFolders {

    private static final Log logger = Log.of(MeterFolders.class);

    /** Marks a meter that is not published. */
    private static final Folder NONE = new Folder(null);

    private final Map<Meter.Id, Folder> folders = new ConcurrentHashMap<>();

    private final Map<String, Meter.Id> owners = new ConcurrentHashMap<>();

    private final Function<Meter.Id, String> folderOf;

    /** Field keys; used under the registry's step lock only. */
    private final Map<String, MetricsBuffer.Key> fields = new HashMap<>();

    /**
     * @param folderOf the folder a meter would have (see {@link MetricPaths})
     */
    MeterFolders(Function<Meter.Id, String> folderOf) {
        this.folderOf = folderOf;
    }

    /**
     * @return the meter's folder, or {@code null} when another meter owns its paths
     */
    Folder folder(Meter.Id id) {
        Folder folder = folders.computeIfAbsent(id, key -> {
            String candidate = folderOf.apply(key);
            Meter.Id owner = owners.putIfAbsent(candidate, key);
            if (owner != null && !owner.equals(key)) {
                logger.warn("Meter {} is not published: its paths ({}/...) are those of {}.", key, candidate, owner);
                return NONE;
            }
            return new Folder(candidate);
        });
        return folder == NONE ? null : folder;
    }

    /** Forgets a removed meter, so that its folder is free again. */
    void forget(Meter.Id id) {
        Folder folder = folders.remove(id);
        if (folder != null && folder != NONE) {
            owners.remove(folder.name, id);
        }
    }

    /**
     * One meter's folder, encoded once; its fields' names are shared by every meter. Used
     * under the registry's step lock only.
     */
    static final class Folder {

        private final String name;

        private final MetricsBuffer.Key key;

        private Folder(String name) {
            this.name = name;
            this.key = name == null ? null : MetricsBuffer.key(name);
        }

        MetricsBuffer.Key key() {
            return key;
        }

        String path(String field) {
            return MetricPaths.path(name, field);
        }

    }

    /** The encoded name of a field (count, sum, p99...), built once. */
    MetricsBuffer.Key field(String name) {
        return fields.computeIfAbsent(name, MetricsBuffer::key);
    }

}
