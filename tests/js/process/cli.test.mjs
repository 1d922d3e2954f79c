// The CLI's export and import (DESIGN.md: `universal-members serve | import |
// export`): whole members out of one database and into another, unchanged; a
// second import with --on-conflict error writes nothing. Runs the installed package's bin as a user would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { members, elevate, configure, close } from 'universal-members';

const packageDir = dirname(createRequire(import.meta.url).resolve('universal-members/package.json'));
const cli = (...args) => spawnSync(process.execPath, [join(packageDir, 'cli.mjs'), ...args], { encoding: 'utf8' });

test('export then import moves every member unchanged; a second import changes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'members-cli-'));
  try {
    const source = `sqlite:${join(dir, 'source.db')}`;
    const target = `sqlite:${join(dir, 'target.db')}`;
    configure({ database: source });
    for (let i = 0; i < 120; i++) {
      await elevate(members.createMember)({
        member: { loginEmail: `m${i}@example.com`, profile: { nickname: `Member ${i}` }, privacyStatus: i % 3 ? 'PUBLIC' : 'PRIVATE' },
      });
    }
    await close();

    const exported = cli('export', '--db', source, '--out', join(dir, 'out.json'));
    assert.equal(exported.status, 0, exported.stderr);
    const first = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    assert.equal(first.length, 120, 'every member, across cursor pages');

    const imported = cli('import', join(dir, 'out.json'), '--db', target);
    assert.equal(imported.status, 0, imported.stderr);
    const again = cli('export', '--db', target);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), first, 'ids, dates, statuses and contacts kept');

    const twice = cli('import', join(dir, 'out.json'), '--db', target, '--on-conflict', 'error');
    assert.equal(twice.status, 1);
    assert.match(twice.stderr, /nothing was written/);
    configure({ database: target });
    assert.equal(await elevate(members.queryMembers)().count(), 120, 'nothing half-written');
    await close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unknown command or a bad database URL exits 2 with the usage', () => {
  const unknown = cli('frobnicate');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /usage: universal-members serve/);
  const bad = cli('export', '--db', 'mysql://u:pw@h/db');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /database/);
  assert.ok(!bad.stderr.includes('pw@'), 'the password is not echoed');
});
