package org.resnet4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API is what {@code module-info.java} exports, and it is closed: no public or protected
 * member of an exported type names a type of a package the module keeps to itself (engines, graph
 * building, readers, the generated protobuf classes), so a user never holds an object they cannot
 * name. Read from the compiled module descriptor, so the test follows the declaration.
 * ({@link ShadedArtifactTest} runs an application against the packaged jar on the module path.)
 */
class PublicApiTest {
    /** The packages a user is given: the front door, the tensor type, the architecture types. */
    static final Set<String> EXPORTED = Set.of("org.resnet4j", "org.resnet4j.tensor", "org.resnet4j.spec");

    @Test
    void theModuleExportsTheApiPackagesOnly() throws IOException {
        Set<String> exported = descriptor().exports().stream()
                .filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(EXPORTED), exported);
        assertEquals("org.resnet4j", descriptor().name());
    }

    @Test
    void noExportedSignatureNamesAnInternalType() throws Exception {
        List<String> leaks = new ArrayList<>();
        int types = 0;
        for (Class<?> c : exportedTypes()) {
            types++;
            String where = c.getName();
            check(where + " extends", c.getGenericSuperclass(), leaks);
            for (Type t : c.getGenericInterfaces()) {
                check(where + " implements", t, leaks);
            }
            for (Field f : c.getDeclaredFields()) {
                if (visible(f.getModifiers())) {
                    check(where + "." + f.getName(), f.getGenericType(), leaks);
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                    check(where + "." + m.getName() + "()", m.getGenericReturnType(), leaks);
                    checkExecutable(where + "." + m.getName() + "()", m, leaks);
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (visible(k.getModifiers())) {
                    checkExecutable(where + ".<init>", k, leaks);
                }
            }
        }
        assertTrue(types > 10, "found only " + types + " exported types");
        assertEquals(List.of(), leaks, "exported signatures naming types outside the API");
        System.out.println("public API: " + EXPORTED.size() + " packages, " + types + " public types");
    }

    private static void checkExecutable(String where, Executable e, List<String> leaks) {
        for (Type t : e.getGenericParameterTypes()) {
            check(where + " parameter", t, leaks);
        }
        for (Type t : e.getGenericExceptionTypes()) {
            check(where + " throws", t, leaks);
        }
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void check(String where, Type t, List<String> leaks) {
        if (t == null) {
            return;
        }
        if (t instanceof Class<?> c) {
            while (c.isArray()) {
                c = c.getComponentType();
            }
            if (c.isPrimitive()) {
                return;
            }
            String pkg = c.getPackageName();
            if (!(pkg.startsWith("java.") || EXPORTED.contains(pkg))) {
                leaks.add(where + ": " + c.getName());
            } else if (EXPORTED.contains(pkg) && !isPublicAllTheWay(c)) {
                leaks.add(where + ": " + c.getName() + " is not public");
            }
        } else if (t instanceof ParameterizedType p) {
            check(where, p.getRawType(), leaks);
            for (Type a : p.getActualTypeArguments()) {
                check(where, a, leaks);
            }
        } else if (t instanceof GenericArrayType g) {
            check(where, g.getGenericComponentType(), leaks);
        } else if (t instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                check(where, b, leaks);
            }
            for (Type b : w.getLowerBounds()) {
                check(where, b, leaks);
            }
        } else if (t instanceof TypeVariable<?> v) {
            for (Type b : v.getBounds()) {
                if (b != Object.class) {
                    check(where, b, leaks);
                }
            }
        }
    }

    private static boolean isPublicAllTheWay(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
            if (!Modifier.isPublic(k.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    /** Every public type (nested ones too, when public all the way out) of the exported packages. */
    static List<Class<?>> exportedTypes() throws Exception {
        Path classes = classesDir();
        List<Class<?>> out = new ArrayList<>();
        for (String pkg : EXPORTED) {
            Path dir = classes.resolve(pkg.replace('.', '/'));
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(f -> f.toString().endsWith(".class")).sorted().toList();
            }
            for (Path f : files) {
                String simple = f.getFileName().toString().replace(".class", "");
                if (simple.equals("package-info") || simple.equals("module-info")) {
                    continue;
                }
                Class<?> c = Class.forName(
                        pkg + "." + simple.replace('/', '.'), false, PublicApiTest.class.getClassLoader());
                if (!c.isAnonymousClass() && !c.isLocalClass() && !c.isSynthetic() && isPublicAllTheWay(c)) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    static Path classesDir() {
        try {
            return Path.of(ResNetModel.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static ModuleDescriptor descriptor() throws IOException {
        // compiled apart from the classes (see the pom), into target/module-descriptor
        Path file = classesDir().resolveSibling("module-descriptor").resolve("module-info.class");
        try (InputStream in = Files.newInputStream(file)) {
            return ModuleDescriptor.read(in);
        }
    }
}
