// The benchmark's second ajv baseline: the Ajv that ajv-cli uses (draft 2020-12, ajv-formats,
// strict mode off, all errors), run over a JSON Lines file in one process, each line checked
// against the schema of its event_type. ajv-cli itself only reads one JSON document per file.
//
//   NODE_PATH=bench/work/node_modules node bench/ajv-jsonl.mjs SCHEMAS_DIR EVENTS.jsonl
//
// Prints "N events checked: V valid, I invalid" on stderr, like validate.java.
// Exit codes: 0 all valid, 2 an invalid event.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

// NODE_PATH is honoured by require, not by import.
const require = createRequire(join(process.cwd(), 'noop.js'));
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

const [schemasDir, file] = process.argv.slice(2);
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(readJson(join(schemasDir, 'envelope.schema.json')));
const validators = new Map();
for (const name of readdirSync(join(schemasDir, 'events')).filter((n) => n.endsWith('.schema.json'))) {
  validators.set(name.slice(0, -'.schema.json'.length), ajv.compile(readJson(join(schemasDir, 'events', name))));
}

let valid = 0;
let invalid = 0;
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (line.trim() === '') continue;
  let document;
  try {
    document = JSON.parse(line);
  } catch {
    invalid++;
    continue;
  }
  const validate = validators.get(document?.event_type);
  if (validate && validate(document)) valid++;
  else invalid++;
}
console.error(`${valid + invalid} events checked: ${valid} valid, ${invalid} invalid`);
process.exit(invalid > 0 ? 2 : 0);
