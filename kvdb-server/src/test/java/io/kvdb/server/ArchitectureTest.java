package io.kvdb.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries, enforced (architecture issue). The server's test class path holds every
 * embeddable module's main classes, so the rules for all of them live here; the CLI's own compile
 * class path holds no kvdb module, so the compiler keeps it apart. Only main code is checked (tests
 * may reach into internals of the module they test). docs/architecture.md draws the same.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("io.kvdb");
  }

  /** core ← wal ← replication ← server: no module reaches up. */
  @Test
  void modulesDependOnlyOnTheLayersBelow() {
    ArchRule rule =
        layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("core")
            .definedBy("io.kvdb.core..")
            .layer("wal")
            .definedBy("io.kvdb.wal..")
            .layer("replication")
            .definedBy("io.kvdb.replication..")
            .layer("server")
            .definedBy("io.kvdb.server..")
            .whereLayer("server")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("replication")
            .mayOnlyBeAccessedByLayers("server")
            .whereLayer("wal")
            .mayOnlyBeAccessedByLayers("replication", "server");
    rule.check(classes);
  }

  /** A module's {@code internal} packages are its own: others use its API and SPI. */
  @Test
  void noModuleReachesIntoAnothersInternals() {
    for (String module : new String[] {"core", "wal", "replication", "server"}) {
      noClasses()
          .that()
          .resideOutsideOfPackage("io.kvdb." + module + "..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.kvdb." + module + ".internal..")
          .because("only " + module + " itself may use io.kvdb." + module + ".internal")
          .check(classes);
    }
  }

  /**
   * The API names no implementation: the builder finds the engine through {@link
   * java.util.ServiceLoader}, so {@code io.kvdb.core} and {@code io.kvdb.core.internal} form no
   * cycle, and the SPI ({@code io.kvdb.core.spi}) stands on the API alone.
   */
  @Test
  void coresApiAndSpiDoNotDependOnItsImplementation() {
    noClasses()
        .that()
        .resideInAnyPackage("io.kvdb.core", "io.kvdb.core.spi")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.kvdb.core.internal..")
        .check(classes);
  }

  /**
   * The command framework knows no family: families ({@code io.kvdb.server.commands}) register
   * themselves through {@code CommandFamilies}, which only the server's wiring names.
   */
  @Test
  void noLayerBelowTheWiringImportsACommandFamily() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.kvdb.server.command",
            "io.kvdb.server.connection",
            "io.kvdb.server.stats",
            "io.kvdb.server.netty",
            "io.kvdb.server.metrics",
            "io.kvdb.server.config")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.kvdb.server.commands..")
        .check(classes);
  }

  /**
   * Inside the server, per-connection state is the lowest layer, statistics sit on it, and the
   * command framework on both: neither the connection state nor the statistics import the framework
   * (no cycle among the three).
   */
  @Test
  void connectionStateAndStatisticsSitBelowTheCommandFramework() {
    noClasses()
        .that()
        .resideInAnyPackage("io.kvdb.server.connection", "io.kvdb.server.stats")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.kvdb.server.command", "io.kvdb.server.netty")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("io.kvdb.server.connection")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.kvdb.server.stats")
        .check(classes);
  }

  /**
   * Replication uses its logs through core's SPI (LogFactory, WriteAheadLog): only the builder's
   * convenience for kvdb-wal's settings names the WAL module.
   */
  @Test
  void replicationDependsOnTheLogsInterfacesOnly() {
    noClasses()
        .that()
        .resideInAPackage("io.kvdb.replication..")
        .and()
        .doNotHaveFullyQualifiedName("io.kvdb.replication.ReplicationNodeBuilder")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.kvdb.wal..")
        .check(classes);
  }

  /** The configuration is read before anything runs: it depends on no other server package. */
  @Test
  void theConfigurationStandsAlone() {
    noClasses()
        .that()
        .resideInAPackage("io.kvdb.server.config")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.kvdb.server",
            "io.kvdb.server.command..",
            "io.kvdb.server.connection",
            "io.kvdb.server.stats",
            "io.kvdb.server.netty",
            "io.kvdb.server.metrics")
        .check(classes);
  }

  /**
   * docs/architecture.md lists every package of the product's main code (its picture of the
   * packages and the SET path): a package added, moved or removed without the doc fails here.
   */
  @Test
  void theArchitectureDocListsEveryPackage() throws Exception {
    Path root = Path.of("").toAbsolutePath().getParent(); // surefire runs in kvdb-server/
    Set<String> inCode = new TreeSet<>();
    for (String module :
        List.of("kvdb-core", "kvdb-wal", "kvdb-replication", "kvdb-server", "kvdb-client-cli")) {
      try (Stream<Path> files = Files.walk(root.resolve(module).resolve("src/main/java"))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          Matcher m = PACKAGE.matcher(Files.readString(f));
          if (m.find()) {
            inCode.add(m.group(1));
          }
        }
      }
    }
    String doc = Files.readString(root.resolve("docs/architecture.md"));
    int from = doc.indexOf("## Packages, and the path of a SET");
    assertThat(from).as("the section in docs/architecture.md").isNotNegative();
    String section = doc.substring(from, doc.indexOf("\n## ", from + 1));
    Set<String> inDoc = new TreeSet<>();
    Matcher m = LISTED.matcher(section);
    while (m.find()) {
      inDoc.add(m.group(1));
    }
    assertThat(inCode).as("packages of the product's main code").hasSizeGreaterThan(10);
    assertThat(inDoc).as("packages docs/architecture.md lists").isEqualTo(inCode);
  }

  private static final Pattern PACKAGE = Pattern.compile("(?m)^package (io\\.kvdb[\\w.]*);");
  private static final Pattern LISTED = Pattern.compile("(?m)^  (io\\.kvdb[\\w.]*)\\s");
}
