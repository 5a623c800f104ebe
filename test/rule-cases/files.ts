/** Rule fixtures: files rules. */
import { execFileSync } from 'node:child_process';
import { symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readPackTree } from '../../core/pack-tree.ts';
import { goodPack, makePack, tempDir } from '../helpers/packs.ts';
import { at, chartPack, MiB, type RuleCases, whole } from '../helpers/rule-cases.ts';

export const FILES_CASES: RuleCases = {
  'file/unreadable': [
    {
      name: 'a FIFO in the pack',
      setup: () => {
        const dir = makePack(goodPack());
        execFileSync('mkfifo', [path.join(dir, 'events.pipe')]);
        return dir;
      },
      findings: [whole('file/unreadable', 'events.pipe', 'is not a regular file', 'FIFO')],
    },
    {
      name: 'a folder where values.yaml should be',
      setup: () => makePack(goodPack({ 'values.yaml': undefined, 'values.yaml/notes.txt': 'x' })),
      findings: [whole('file/unreadable', 'values.yaml', 'cannot be read', 'is a folder, not a file')],
    },
    {
      name: 'a file the operating system refuses to read (EACCES)',
      setup: async () => {
        const tree = await readPackTree(makePack(goodPack()));
        return {
          ...tree,
          read: (rel: string, max: number) => {
            if (rel === 'values.yaml') {
              throw Object.assign(new Error("EACCES: permission denied, open 'values.yaml'"), {
                code: 'EACCES',
              });
            }
            return tree.read(rel, max);
          },
        };
      },
      findings: [whole('file/unreadable', 'values.yaml', 'cannot be read', 'permission denied')],
    },
  ],

  'file/too-large': [
    {
      name: 'a sparse 9 MiB values.yaml',
      setup: () => {
        const dir = makePack(goodPack());
        truncateSync(path.join(dir, 'values.yaml'), 9 * MiB);
        return dir;
      },
      findings: [whole('file/too-large', 'values.yaml', 'is 9.0 MiB', 'over the 8.0 MiB')],
    },
    {
      name: 'a sparse 9 MiB logo.png',
      setup: () => {
        const dir = makePack(goodPack());
        truncateSync(path.join(dir, 'logo.png'), 9 * MiB);
        return dir;
      },
      findings: [whole('file/too-large', 'logo.png', 'is 9.0 MiB', 'over the 8.0 MiB')],
    },
  ],

  'file/binary': [
    {
      name: 'a NUL byte in values.yaml',
      setup: () => makePack(goodPack({ 'values.yaml': Buffer.from('pack:\n  namespace: demo\0\n') })),
      findings: [at('file/binary', 'values.yaml', 2, 18, 'NUL byte at offset 23', 'UTF-8 text')],
    },
    {
      name: 'Latin-1 (invalid UTF-8) in values.yaml',
      setup: () =>
        makePack(
          goodPack({
            'values.yaml': Buffer.concat([
              Buffer.from('pack:\n  namespace: d'),
              Buffer.from([0xe9]),
              Buffer.from('mo\n'),
            ]),
          }),
        ),
      findings: [at('file/binary', 'values.yaml', 2, 15, 'not valid UTF-8', 'byte 0xe9 at offset 20')],
    },
    {
      name: 'invalid UTF-8 after a legitimate U+FFFD in pack.json',
      setup: () =>
        makePack(
          goodPack({
            'pack.json': Buffer.concat([
              Buffer.from('{"displayName": "\uFFFD'),
              Buffer.from([0xff]),
              Buffer.from('"}'),
            ]),
          }),
        ),
      findings: [at('file/binary', 'pack.json', 1, 19, 'not valid UTF-8', 'byte 0xff at offset 20')],
    },
  ],

  'file/symlink': [
    {
      name: 'a dangling link',
      setup: () => {
        const dir = makePack(goodPack());
        symlinkSync('missing.yaml', path.join(dir, 'extra.yaml'));
        return dir;
      },
      findings: [whole('file/symlink', 'extra.yaml', 'dangling symbolic link', '"missing.yaml"')],
    },
    {
      name: 'a link to a file outside the pack',
      setup: () => {
        const outside = path.join(tempDir(), 'secret.txt');
        writeFileSync(outside, 'secret\n');
        const dir = makePack(goodPack());
        symlinkSync(outside, path.join(dir, 'notes.txt'));
        return dir;
      },
      findings: [whole('file/symlink', 'notes.txt', 'leaves the pack folder')],
    },
    {
      name: 'a link to a folder inside the pack',
      setup: () => {
        const dir = makePack(goodPack());
        symlinkSync('manifests', path.join(dir, 'more-manifests'));
        return dir;
      },
      findings: [whole('file/symlink', 'more-manifests', 'symbolic link to a folder')],
    },
  ],

  'file/unreferenced': [
    {
      name: 'a manifest no kubeManifests entry names',
      setup: () =>
        makePack(
          goodPack({ 'manifests/old.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old\n' }),
        ),
      findings: [
        whole('file/unreferenced', 'manifests/old.yaml', 'no kubeManifests entry', 'never deploys it'),
      ],
    },
    {
      name: 'an unpackaged chart folder (a source folder beside its .tgz is fine)',
      setup: async () =>
        makePack(
          await chartPack({
            'charts/mychart/Chart.yaml': 'name: mychart\n',
            'charts/other/Chart.yaml': 'name: other\n',
          }),
        ),
      findings: [whole('file/unreferenced', 'charts/other/', 'names this folder', 'helm package')],
    },
  ],
};
