package io.dalva.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No package cycle in the project's main code: reads the {@code import io.dalva.…} lines
 * of every {@code src/main/java} file of the reactor (the parent of this module's folder)
 * and fails naming each cycle with the imports that make it. Javadoc that needs a class
 * of a package that depends on its own uses a fully qualified {@code {@link}}, which is
 * no import.
 */
class PackageCyclesTest {

    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    private static final Pattern IMPORT = Pattern.compile(
            "^import\\s+(?:static\\s+)?(io\\.dalva\\.[\\w.]+?)(?:\\.[A-Z][\\w.]*|\\.\\*)?\\s*;", Pattern.MULTILINE);

    @Test
    void theProjectsMainCodeHasNoPackageCycle() {
        Path reactor = Path.of("").toAbsolutePath().getParent();
        assertThat(reactor.resolve("dalva-client/pom.xml")).as("the reactor root").exists();

        Graph graph = Graph.read(reactor);

        assertThat(graph.edges).as("packages read").containsKeys("io.dalva.client", "io.dalva.run");
        assertThat(graph.edges.get("io.dalva.run")).as("dependencies read").contains("io.dalva.client");
        List<Set<String>> cycles = graph.cycles();
        assertThat(cycles).as("package cycles, with the imports that make them: %s", graph.explain(cycles)).isEmpty();
    }

    @Test
    void aCycleThroughThreePackagesIsFound(@TempDir Path root) throws IOException {
        write(root, "a/src/main/java/io/dalva/x/A.java", "package io.dalva.x;\n\nimport io.dalva.y.B;\n");
        write(root, "a/src/main/java/io/dalva/y/B.java", "package io.dalva.y;\n\nimport static io.dalva.z.C.c;\n");
        write(root, "b/src/main/java/io/dalva/z/C.java",
                "package io.dalva.z;\n\nimport io.dalva.x.*;\nimport java.util.List;\n");
        write(root, "b/src/main/java/io/dalva/z/D.java", "package io.dalva.z;\n\nimport io.dalva.w.Free;\n");
        write(root, "b/src/test/java/io/dalva/w/Free.java", "package io.dalva.w;\n\nimport io.dalva.z.D;\n");

        Graph graph = Graph.read(root);

        assertThat(graph.cycles()).containsExactly(Set.of("io.dalva.x", "io.dalva.y", "io.dalva.z"));
    }

    @Test
    void packagesThatOnlyDependOneWayAreNoCycle(@TempDir Path root) throws IOException {
        write(root, "a/src/main/java/io/dalva/x/A.java", "package io.dalva.x;\n\nimport io.dalva.x.inner.B;\n");
        write(root, "a/src/main/java/io/dalva/x/inner/B.java",
                "package io.dalva.x.inner;\n\n/** {@link io.dalva.x.A} */\nclass B {}\n");

        assertThat(Graph.read(root).cycles()).isEmpty();
    }

    private static void write(Path root, String file, String text) throws IOException {
        Path path = root.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }

    /** Package → the io.dalva packages it imports from, read from the sources. */
    static final class Graph {

        final Map<String, Set<String>> edges = new TreeMap<>();

        final Map<String, String> evidence = new TreeMap<>();

        static Graph read(Path root) {
            Graph graph = new Graph();
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(file -> file.toString().endsWith(".java"))
                    .filter(file -> file.toString().replace('\\', '/').contains("/src/main/java/"))
                    .filter(file -> !file.toString().replace('\\', '/').contains("/target/"))
                    .forEach(graph::add);
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return graph;
        }

        private void add(Path file) {
            String text;
            try {
                text = Files.readString(file);
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Matcher pkg = PACKAGE.matcher(text);
            if (!pkg.find()) {
                return;
            }
            String from = pkg.group(1);
            Set<String> targets = edges.computeIfAbsent(from, p -> new TreeSet<>());
            Matcher imports = IMPORT.matcher(text);
            while (imports.find()) {
                String to = imports.group(1);
                if (!to.equals(from) && targets.add(to)) {
                    evidence.put(from + " -> " + to, file.getFileName().toString());
                }
            }
        }

        /** Each import between two packages of one cycle, with a file that makes it. */
        List<String> explain(List<Set<String>> cycles) {
            List<String> lines = new ArrayList<>();
            evidence.forEach((edge, file) -> {
                String[] ends = edge.split(" -> ");
                if (cycles.stream().anyMatch(cycle -> cycle.contains(ends[0]) && cycle.contains(ends[1]))) {
                    lines.add(edge + " (" + file + ")");
                }
            });
            return lines;
        }

        /** The strongly connected components with more than one package (Tarjan). */
        List<Set<String>> cycles() {
            List<Set<String>> cycles = new ArrayList<>();
            Map<String, Integer> index = new TreeMap<>();
            Map<String, Integer> low = new TreeMap<>();
            List<String> stack = new ArrayList<>();
            for (String start : edges.keySet()) {
                if (!index.containsKey(start)) {
                    connect(start, index, low, stack, cycles);
                }
            }
            return cycles;
        }

        private void connect(String node, Map<String, Integer> index, Map<String, Integer> low, List<String> stack,
                List<Set<String>> cycles) {
            index.put(node, index.size());
            low.put(node, index.get(node));
            stack.add(node);
            for (String next : edges.getOrDefault(node, Set.of())) {
                if (!index.containsKey(next)) {
                    connect(next, index, low, stack, cycles);
                    low.put(node, Math.min(low.get(node), low.get(next)));
                }
                else if (stack.contains(next)) {
                    low.put(node, Math.min(low.get(node), index.get(next)));
                }
            }
            if (low.get(node).equals(index.get(node))) {
                Set<String> component = new TreeSet<>();
                String member;
                do {
                    member = stack.remove(stack.size() - 1);
                    component.add(member);
                }
                while (!member.equals(node));
                if (component.size() > 1) {
                    cycles.add(component);
                }
            }
        }

    }

}
