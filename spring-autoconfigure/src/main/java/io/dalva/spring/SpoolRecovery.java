package io.dalva.spring;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.concurrent.atomic.AtomicBoolean;

import io.dalva.client.DalvaClient;
import io.dalva.internal.journal.SpoolFolders;
import io.dalva.internal.journal.SpoolManifest;
import io.dalva.internal.logging.Log;
import io.dalva.run.DalvaSpool;

/**
 * Recovers, at the application's start, the runs that processes which died (killed, out
 * of memory, power lost) left in the spool folder for the application's server: each is
 * replayed with {@link DalvaSpool} (what the server had not stored is delivered, the run
 * is marked failed) and its configuration records why ({@code failure/reason}). A folder
 * that a live process holds is left alone, and so are folders bound for other servers.
 * One INFO line per recovered run.
 */
final class SpoolRecovery {

    static final String REASON = "the process ended without finishing the run";

    private static final Log logger = Log.of(SpoolRecovery.class);

    private final Path spool;

    private final String serverUrl;

    private final DalvaClient client;

    private final Duration timeout;

    /**
     * @param spool the application's spool folder
     * @param serverUrl the application's server: only runs bound for it are recovered
     * @param client a client of that server, for the failure reason
     * @param timeout the most spent on each run
     */
    SpoolRecovery(Path spool, String serverUrl, DalvaClient client, Duration timeout) {
        this.spool = spool;
        this.serverUrl = serverUrl;
        this.client = client;
        this.timeout = timeout;
    }

    /**
     * Replays every run folder left in the spool except {@code ownFolder}.
     * @param ownFolder the folder of the application's own run, or {@code null}
     * @param stop whether to stop before the next folder (the application is stopping)
     * @return how many runs were recovered
     */
    int recover(Path ownFolder, BooleanSupplier stop) {
        int recovered = 0;
        for (Path folder : SpoolFolders.runFolders(this.spool)) {
            if (stop.getAsBoolean()) {
                break;
            }
            if (ownFolder != null && folder.toAbsolutePath().equals(ownFolder.toAbsolutePath())) {
                continue;
            }
            SpoolManifest manifest = manifest(folder);
            if (manifest != null && sameServer(manifest.serverUrl()) && recover(folder, manifest)) {
                recovered++;
            }
        }
        return recovered;
    }

    private boolean recover(Path folder, SpoolManifest manifest) {
        AtomicBoolean died = new AtomicBoolean();
        DalvaSpool.Result result = DalvaSpool.replay(folder, null, this.timeout, (line) -> {
            // DalvaSpool's word for a run whose process died, which it marks failed
            died.compareAndSet(false, line.contains("ended without finishing"));
            logger.debug("Recovery of {}: {}.", folder.getFileName(), line);
        });
        if (result.results().isEmpty()) {
            return false;
        }
        DalvaSpool.RunResult replayed = result.results().get(0);
        if (replayed.outcome() == DalvaSpool.Outcome.IN_USE || replayed.delivered() == 0) {
            // held by a live process, or the server did not answer: left for later
            return false;
        }
        if (died.get() && manifest.serverId() != null) {
            try {
                this.client.logConfig(manifest.serverId(), Map.of("failure/reason", REASON));
            }
            catch (RuntimeException ex) {
                logger.debug("Could not record the failure reason of Dalva run {}: {}.", replayed.run(), ex.toString());
            }
        }
        logger.info("Recovered Dalva run {} of project {} from the spool: {} event(s) delivered, {} left{}.",
                replayed.run(), manifest.project(), replayed.delivered(), replayed.left(),
                died.get() ? "; marked failed, since " + REASON : "");
        return true;
    }

    private boolean sameServer(String url) {
        return url != null && strip(url).equals(strip(this.serverUrl));
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static SpoolManifest manifest(Path folder) {
        try {
            return SpoolManifest.read(folder);
        }
        catch (IOException | RuntimeException ex) {
            logger.debug("Spool folder {} is not a readable run folder: {}.", folder, ex.toString());
            return null;
        }
    }

}
