// The RFC schemas of schemas/, one compact line each: the bottom layer of EventSchemas. The generator
// writes them into the call below (envelope.schema.json, then events/*.schema.json by name); here the
// call names none, so this file compiles on its own.
package shared;

import java.util.LinkedHashMap;
import java.util.Map;

interface BundledSchemas {
    static final Map<String, String> BUNDLED_SCHEMAS = bundledSchemas();

    private static Map<String, String> bundledSchemas(String... nameAndText) {
        Map<String, String> schemas = new LinkedHashMap<>();
        for (int i = 0; i < nameAndText.length; i += 2) {
            schemas.put(nameAndText[i], nameAndText[i + 1]);
        }
        return schemas;
    }
}
