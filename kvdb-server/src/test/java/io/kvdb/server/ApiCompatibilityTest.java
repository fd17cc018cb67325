package io.kvdb.server;

import static org.assertj.core.api.Assertions.fail;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The public API of the embeddable modules, checked against the signatures recorded in {@code
 * api/<module>.api} (architecture issue: a breaking change to {@code KvStore}, the SPI or the
 * replication API is a decision, not an accident).
 *
 * <p>Every public type of the exported packages and its public and protected members, with their
 * generic signatures, one line each. A recorded line that is gone or changed is a breaking change;
 * a new line is a compatible addition. Either way the test fails until the file is updated — by
 * hand, or by running it with {@code -Dkvdb.api.update=true} — so the change shows up in review.
 * (kvdb has no published release yet to hand japicmp as the old version; the recorded file is the
 * baseline instead, as Kotlin's binary-compatibility validator does.)
 */
class ApiCompatibilityTest {
  private static final Map<String, List<String>> EXPORTED = new LinkedHashMap<>();

  static {
    EXPORTED.put("kvdb-core", List.of("io.kvdb.core", "io.kvdb.core.spi"));
    EXPORTED.put("kvdb-wal", List.of("io.kvdb.wal"));
    EXPORTED.put("kvdb-replication", List.of("io.kvdb.replication"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"kvdb-core", "kvdb-wal", "kvdb-replication"})
  void thePublicApiIsTheRecordedOne(String module) throws IOException {
    List<String> now = dump(EXPORTED.get(module));
    Path file = Path.of("..", "api", module + ".api");
    if (Boolean.getBoolean("kvdb.api.update")) {
      Files.createDirectories(file.getParent());
      Files.write(file, now, StandardCharsets.UTF_8);
      return;
    }
    List<String> recorded = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (!recorded.equals(now)) {
      List<String> gone = new ArrayList<>(recorded);
      gone.removeAll(now);
      List<String> added = new ArrayList<>(now);
      added.removeAll(recorded);
      fail(
          "The public API of %s differs from %s.%n"
              + "Removed or changed (BREAKING for users of the module):%n%s%n"
              + "Added:%n%s%n"
              + "If this is intended, record it: mvn -pl kvdb-server test"
              + " -Dtest=ApiCompatibilityTest -Dkvdb.api.update=true (and say so in the commit).",
          module,
          file,
          gone.isEmpty() ? "  (none)" : "  - " + String.join("%n  - ".formatted(), gone),
          added.isEmpty() ? "  (none)" : "  + " + String.join("%n  + ".formatted(), added));
    }
  }

  /** One line per public type, then one per public or protected member, indented; sorted. */
  static List<String> dump(List<String> packages) {
    var classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages(packages);
    TreeSet<String> types = new TreeSet<>();
    Map<String, List<String>> byType = new LinkedHashMap<>();
    for (JavaClass jc : classes) {
      if (!packages.contains(jc.getPackageName())) {
        continue;
      }
      Class<?> c = jc.reflect();
      if (!visible(c)) {
        continue;
      }
      String head = typeLine(c);
      types.add(head);
      TreeSet<String> members = new TreeSet<>();
      for (Constructor<?> k : c.getDeclaredConstructors()) {
        if (exposed(k)) {
          members.add("  " + k.toGenericString());
        }
      }
      for (Method m : c.getDeclaredMethods()) {
        if (exposed(m) && !m.isBridge()) {
          members.add("  " + m.toGenericString());
        }
      }
      for (Field f : c.getDeclaredFields()) {
        if (exposed(f)) {
          members.add("  " + f.toGenericString());
        }
      }
      byType.put(head, new ArrayList<>(members));
    }
    List<String> out = new ArrayList<>();
    for (String t : types) {
      out.add(t);
      out.addAll(byType.get(t));
    }
    return out;
  }

  /** Public, and so is every class it is nested in. */
  private static boolean visible(Class<?> c) {
    for (Class<?> x = c; x != null; x = x.getEnclosingClass()) {
      if (!Modifier.isPublic(x.getModifiers()) || x.isAnonymousClass() || x.isLocalClass()) {
        return false;
      }
    }
    return true;
  }

  private static boolean exposed(Member m) {
    int mod = m.getModifiers();
    boolean reachable =
        Modifier.isPublic(mod)
            || (Modifier.isProtected(mod)
                && !Modifier.isFinal(m.getDeclaringClass().getModifiers()));
    return reachable && !m.isSynthetic();
  }

  private static String typeLine(Class<?> c) {
    String kind =
        c.isAnnotation()
            ? "@interface"
            : c.isInterface()
                ? "interface"
                : c.isEnum() ? "enum" : c.isRecord() ? "record" : "class";
    int mods = c.getModifiers() & (c.isInterface() ? 0 : Modifier.classModifiers());
    if (c.isEnum() || c.isRecord()) {
      mods &= ~Modifier.FINAL & ~Modifier.STATIC;
    }
    StringBuilder b = new StringBuilder();
    String m = Modifier.toString(mods);
    if (!m.isEmpty()) {
      b.append(m).append(' ');
    }
    b.append(kind).append(' ').append(c.getTypeName());
    Type sup = c.getGenericSuperclass();
    if (sup != null && !c.isEnum() && !c.isRecord() && sup != Object.class) {
      b.append(" extends ").append(sup.getTypeName());
    }
    Type[] ifaces = c.getGenericInterfaces();
    if (ifaces.length > 0) {
      b.append(c.isInterface() ? " extends " : " implements ")
          .append(Arrays.stream(ifaces).map(Type::getTypeName).collect(Collectors.joining(", ")));
    }
    return b.toString();
  }
}
