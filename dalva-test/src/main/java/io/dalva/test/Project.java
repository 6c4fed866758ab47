package io.dalva.test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/** A project row: created on first use of its name. */
final class Project {

    final long id;

    final String name;

    final String projectId;

    final LocalDateTime createdAt;

    final LocalDateTime updatedAt;

    private Project(long id, String name, String projectId, LocalDateTime now) {
        this.id = id;
        this.name = name;
        this.projectId = projectId;
        this.createdAt = now;
        this.updatedAt = now;
    }

    /**
     * A project as {@code get_or_create_project} makes it: {@code project_id} is the name
     * and an md5 prefix.
     */
    static Project named(long id, String name, LocalDateTime now) {
        return new Project(id, name, name + "_" + md5Prefix(), now);
    }

    /** A project as {@code POST /api/projects/} makes it. */
    static Project of(long id, String name, String projectId, LocalDateTime now) {
        return new Project(id, name, projectId, now);
    }

    /** {@code generate_abbreviation}: three upper-case letters from the project name. */
    static String abbreviation(String projectName) {
        String clean = projectName.replaceAll("(?U)[^a-zA-Z0-9\\s-]", "");
        List<String> words = new ArrayList<>();
        for (String w : clean.split("(?U)[-_\\s]+")) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
        String abbrev;
        if (words.isEmpty()) {
            abbrev = "RUN";
        }
        else if (words.size() >= 3) {
            abbrev = "" + words.get(0).charAt(0) + words.get(1).charAt(0) + words.get(2).charAt(0);
        }
        else if (words.size() == 1) {
            abbrev = words.get(0).substring(0, Math.min(3, words.get(0).length()));
        }
        else {
            String first = words.get(0);
            abbrev = "" + first.charAt(0) + words.get(1).charAt(0) + (first.length() > 1 ? first.charAt(1) : 'X');
        }
        abbrev = abbrev.toUpperCase(Locale.ROOT);
        return (abbrev + "XXX").substring(0, 3);
    }

    private static String md5Prefix() {
        try {
            byte[] digest = MessageDigest.getInstance("MD5")
                .digest(Long.toString(System.nanoTime()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
