// Every export of every .d.ts the packed package names (`types`, and each
// subpath's `types` condition) has a doc comment, so editors show it on hover;
// so does every method (each overload) of an exported interface or class, and
// every member of an exported class. Reads the declarations with the TypeScript
// compiler API, the way an editor does.
// MEMBERS_PACKAGE_DIR: the installed package (default .build/pkgtest/node_modules/universal-members).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const packageDir = resolve(process.env.MEMBERS_PACKAGE_DIR ?? '.build/pkgtest/node_modules/universal-members');

/** The .d.ts files the package's package.json points at. */
function typesEntries() {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const found = new Set(manifest.types ? [manifest.types] : []);
  const walk = (node) => {
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'types' && typeof value === 'string') found.add(value);
      else walk(value);
    }
  };
  walk(manifest.exports);
  return [...found].map((path) => join(packageDir, path));
}

/** The text of a doc comment, '' when there is none. */
const text = (parts) => ts.displayPartsToString(parts).trim();

/** What lacks a doc comment in one declaration file, as `file: name` lines. */
function undocumented(checker, file) {
  const missing = [];
  const where = (name) => `${file.fileName.slice(packageDir.length + 1)}: ${name}`;
  const moduleSymbol = checker.getSymbolAtLocation(file);
  assert.ok(moduleSymbol, `${file.fileName} is not a module`);
  const exports = checker.getExportsOfModule(moduleSymbol);
  for (const exported of exports) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const name = exported.getName();
    if (symbol.flags & ts.SymbolFlags.Function) {
      for (const declaration of symbol.declarations ?? []) {
        if (!text(checker.getSignatureFromDeclaration(declaration).getDocumentationComment(checker))) missing.push(where(`${name}()`));
      }
    } else if (!text(symbol.getDocumentationComment(checker))) {
      missing.push(where(name));
    }
    if (!(symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.Class))) continue;
    const isClass = Boolean(symbol.flags & ts.SymbolFlags.Class);
    for (const member of symbol.members?.values() ?? []) {
      const declarations = member.declarations ?? [];
      const isMethod = member.flags & (ts.SymbolFlags.Method | ts.SymbolFlags.Constructor);
      if (isMethod) {
        for (const declaration of declarations) {
          const signature = checker.getSignatureFromDeclaration(declaration);
          if (!signature || !text(signature.getDocumentationComment(checker))) missing.push(where(`${name}.${member.getName().replace('__constructor', 'constructor')}()`));
        }
      } else if (isClass && !text(member.getDocumentationComment(checker))) {
        missing.push(where(`${name}.${member.getName()}`));
      }
    }
  }
  return { missing, names: exports.map((e) => e.getName()) };
}

test('every export of the packed declaration files has a doc comment', () => {
  const entries = typesEntries();
  const program = ts.createProgram(entries, {
    strict: true, noEmit: true, skipLibCheck: false, types: [],
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  const checker = program.getTypeChecker();
  const missing = [];
  const names = new Set();
  for (const entry of entries) {
    const file = program.getSourceFile(entry);
    assert.ok(file, `${entry} (named in package.json) is in the package`);
    const found = undocumented(checker, file);
    missing.push(...found.missing);
    for (const name of found.names) names.add(name);
  }
  assert.deepEqual(missing, [], `exports without a doc comment:\n${missing.join('\n')}`);
  // Guards against checking nothing (a wrong path, a module read as a script).
  for (const name of ['members', 'authentication', 'configure', 'ready', 'MembersError', 'Member']) {
    assert.ok(names.has(name), `${name} is among the checked exports`);
  }
});
