import { describeRuleCases } from '../helpers/rule-cases.ts';
import { PRESETS_SCHEMA_CASES } from '../rule-cases/presets-schema.ts';

describeRuleCases(PRESETS_SCHEMA_CASES);
