import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every story of FastPathEndToEndTest again, with ./jbang on a JDK 25 (JAVA_HOME), as the shipped
 * workflows run it: both JVMs then use the JDK's AOT cache instead of AppCDS, recorded by a first
 * run and created in the background, so each story also crosses a training run and the runs
 * while its cache is being created. (Which script an alias names, FastPathCatalogEndToEndTest, is
 * JBang's resolution, the same on any JDK: those stories run once.) A Temurin 25 is installed beside Java 17 on the build machines
 * (/usr/lib/jvm/temurin-25-jdk-amd64; -Deventbus.jdk25=DIR names another). Without one the class
 * says so in one line on the build's output and is skipped.
 */
class FastPathJdk25EndToEndTest extends FastPathEndToEndTest {
    static Path jdk25;

    @BeforeAll
    static void jdk25() throws IOException {
        jdk25 = temurin25();
        if (jdk25 == null) {
            String given = System.getProperty("eventbus.jdk25", "");
            System.out.println("[FastPathJdk25EndToEndTest] SKIPPED: no JDK 25 at "
                    + (given.isEmpty() ? TEMURIN_25 + " or under /usr/lib/jvm" : given + " (-Deventbus.jdk25)")
                    + ": the wrapper's fast path was tested on the default JDK only");
        }
        assumeTrue(jdk25 != null, "no JDK 25 to run the fast-path tests on");
    }

    @Override
    Map<String, String> jdkEnvironment() {
        return Map.of("JAVA_HOME", jdk25.toString());
    }

    /** The AOT caches created in the background are written into the class's JBang home: none may be left half-made when it goes. */
    @AfterAll
    static void noAotCacheBeingCreated() throws Exception {
        if (jdk25 != null) {
            awaitNoAotCreation();
        }
    }
}
