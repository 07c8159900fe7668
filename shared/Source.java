// Reading a named input: a file, or stdin (named <stdin>), as UTF-8 and nothing else. Bytes that
// are not UTF-8 are refused, never replaced (a replaced byte would change an event's payload
// silently), and a file that cannot be read says why in words.
package shared;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

record Source(String name, String text) {
    static Source stdin(CommandSpec spec) {
        return read("<stdin>", System.in, spec);
    }

    static Source file(Path path, CommandSpec spec) {
        String name = path.toString();
        if (Files.isDirectory(path)) {
            throw new CommandLine.ParameterException(spec.commandLine(), name + ": is a directory, not a file");
        }
        try (InputStream in = Files.newInputStream(path)) {
            return read(name, in, spec);
        } catch (NoSuchFileException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), name + ": no such file");
        } catch (AccessDeniedException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), name + ": permission denied");
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), name + ": cannot read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Source read(String name, InputStream in, CommandSpec spec) {
        try {
            return new Source(name, utf8(name, in.readAllBytes(), spec));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Strict UTF-8: the first malformed byte is an error naming its offset. */
    static String utf8(String name, byte[] bytes, CommandSpec spec) {
        // A new decoder reports malformed input, never replaces it.
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isUnderflow()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new CommandLine.ParameterException(spec.commandLine(), name + ": not valid UTF-8 (byte " + in.position()
                    + " of " + bytes.length + "); event files are UTF-8 JSON");
        }
        return out.flip().toString();
    }
}
