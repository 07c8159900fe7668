// One dereferenced JSON file per operation, as in this folder, from the carrier's api.github.com.json:
//   npm pack @octokit/openapi@23.0.2 && tar xzf octokit-openapi-23.0.2.tgz
//   node extract.mjs package/generated/api.github.com.json . git/list-matching-refs ...
// Every $ref is resolved inline and the carrier's x-octokit keys are dropped.
import fs from 'fs';
const [carrier, outDir, ...ids] = process.argv.slice(2);
const spec = JSON.parse(fs.readFileSync(carrier, 'utf8'));
function resolve(node, seen = new Set()) {
  if (Array.isArray(node)) return node.map(n => resolve(n, seen));
  if (node && typeof node === 'object') {
    if (typeof node.$ref === 'string') {
      const ref = node.$ref;
      if (seen.has(ref)) return { description: 'recursive ' + ref };
      const target = ref.replace(/^#\//, '').split('/').reduce((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
      const next = new Set(seen); next.add(ref);
      return resolve(target, next);
    }
    const out = {};
    for (const [k, v] of Object.entries(node)) if (k !== 'x-octokit') out[k] = resolve(v, seen);
    return out;
  }
  return node;
}

for (const [path, item] of Object.entries(spec.paths)) for (const [method, op] of Object.entries(item)) {
  if (!op || !ids.includes(op.operationId)) continue;
  const r = resolve(op);
  const doc = { operationId: r.operationId, method: method.toUpperCase(), path, ...r };
  delete doc.operationId; const ordered = { operationId: r.operationId, method: method.toUpperCase(), path };
  for (const [k, v] of Object.entries(r)) if (k !== 'operationId') ordered[k] = v;
  fs.writeFileSync(`${outDir}/${r.operationId.replace('/', '__')}.json`, JSON.stringify(ordered, null, 2) + '\n');
  console.log(r.operationId, method.toUpperCase(), path);
}
