// Natural keys to event ids: emit --dedupe-key and dedupe claim --key must map a key to the same
// id, so that a cron path and an event path that handle one item claim one id.
package shared;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

interface Ids {
    /** The namespace of natural-key ids: uuid5(NAMESPACE_URL, "https://event-bus.dev/dedupe-key"). */
    static final UUID DEDUPE_KEY_NAMESPACE = UUID.fromString("d768854e-7ce7-5a89-8b74-d8a7e84cd9d4");

    /** RFC 4122 name-based UUID, version 5 (SHA-1); the same function as Python's uuid.uuid5. */
    static UUID nameBasedUuid(UUID namespace, String name) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(toBytes(namespace));
            byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
            hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
            hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
            ByteBuffer bits = ByteBuffer.wrap(hash);
            return new UUID(bits.getLong(), bits.getLong());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The 16 bytes of a UUID, most significant first. */
    static byte[] toBytes(UUID uuid) {
        return ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits()).array();
    }
}
