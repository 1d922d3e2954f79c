// The types promise only what the code gives: every value that index.d.ts
// declares (functions, constants, classes) is exported by the Node entry of the
// packed package, and is of that kind, so a call that type-checks does not fail
// with "is not a function".
// MEMBERS_PACKAGE_DIR: the installed package (default .build/pkgtest/node_modules/universal-members).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

const packageDir = resolve(process.env.MEMBERS_PACKAGE_DIR ?? '.build/pkgtest/node_modules/universal-members');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));

/** The declared value exports of a .d.ts: name → 'function' | 'object' (a constant) | 'class'. */
function declaredValues(dtsPath) {
  const program = ts.createProgram([dtsPath], { strict: true, noEmit: true, types: [] });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(dtsPath));
  const values = new Map();
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (symbol.flags & ts.SymbolFlags.Class) values.set(exported.getName(), 'class');
    else if (symbol.flags & ts.SymbolFlags.Function) values.set(exported.getName(), 'function');
    else if (symbol.flags & ts.SymbolFlags.Variable) values.set(exported.getName(), 'object');
  }
  return values;
}

test('every value index.d.ts declares is exported by the Node entry', async () => {
  const entry = manifest.exports['.'];
  const declared = declaredValues(join(packageDir, entry.types));
  assert.ok(declared.size >= 10, `found the declared values (${[...declared.keys()]})`);
  const runtime = await import(pathToFileURL(join(packageDir, entry.node)).href);
  const wrong = [];
  for (const [name, kind] of declared) {
    const value = runtime[name];
    const actual = value === undefined ? 'missing' : typeof value === 'function' ? (/^class\b/.test(String(value)) ? 'class' : 'function') : typeof value;
    if (actual !== kind) wrong.push(`${name}: declared ${kind}, exported ${actual}`);
  }
  assert.deepEqual(wrong, [], `index.d.ts and ${entry.node} disagree:\n${wrong.join('\n')}`);
});
