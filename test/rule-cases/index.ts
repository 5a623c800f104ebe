import type { RuleId } from '../../core/rules.ts';
import type { Case } from '../helpers/rule-cases.ts';
import { ASSETS_CASES } from './assets.ts';
import { CHARTS_CASES } from './charts.ts';
import { FILES_CASES } from './files.ts';
import { MANIFESTS_CASES } from './manifests.ts';
import { PACK_JSON_CASES } from './pack-json.ts';
import { PRESETS_SCHEMA_CASES } from './presets-schema.ts';
import { VALUES_CASES } from './values.ts';

/** Every family's fixtures, keyed by rule id (the catalog test checks every rule has some). */
export const ALL_CASES: Partial<Record<RuleId, Case[]>> = {
  ...FILES_CASES,
  ...PACK_JSON_CASES,
  ...MANIFESTS_CASES,
  ...CHARTS_CASES,
  ...VALUES_CASES,
  ...PRESETS_SCHEMA_CASES,
  ...ASSETS_CASES,
};
