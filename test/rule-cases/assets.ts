import { goodPack, makePack, TINY_PNG } from '../helpers/packs.ts';
import { MiB, pngHeader, type RuleCases, whole } from '../helpers/rule-cases.ts';

export const ASSETS_CASES: RuleCases = {
  'logo/missing': [
    {
      name: 'no logo.png',
      setup: () => makePack(goodPack({ 'logo.png': undefined })),
      findings: [whole('logo/missing', 'logo.png', 'no logo.png')],
    },
  ],

  'logo/png': [
    {
      name: 'a JPEG named logo.png',
      setup: () =>
        makePack(goodPack({ 'logo.png': Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]) })),
      findings: [whole('logo/png', 'logo.png', 'does not start with the PNG signature', 'a JPEG')],
    },
    {
      name: 'a truncated PNG',
      setup: () => makePack(goodPack({ 'logo.png': TINY_PNG.subarray(0, 20) })),
      findings: [whole('logo/png', 'logo.png', 'is truncated')],
    },
    {
      name: 'a PNG claiming 0×0 pixels',
      setup: () => makePack(goodPack({ 'logo.png': pngHeader(0, 0) })),
      findings: [whole('logo/png', 'logo.png', 'claims 0×0 pixels')],
    },
  ],

  'logo/size': [
    {
      name: 'a PNG claiming 10000×10000 pixels',
      setup: () => makePack(goodPack({ 'logo.png': pngHeader(10000, 10000) })),
      findings: [whole('logo/size', 'logo.png', 'is 10000×10000 pixels', 'at most 4096×4096')],
    },
    {
      name: 'a 1.5 MiB PNG',
      setup: () => makePack(goodPack({ 'logo.png': Buffer.concat([TINY_PNG, Buffer.alloc(1.5 * MiB)]) })),
      findings: [whole('logo/size', 'logo.png', 'is 1.5 MiB', 'under 1.0 MiB')],
    },
  ],

  'readme/missing': [
    {
      name: 'no README.md',
      setup: () => makePack(goodPack({ 'README.md': undefined })),
      findings: [whole('readme/missing', 'README.md', 'no README.md')],
    },
  ],
};
