import { describeRuleCases } from '../helpers/rule-cases.ts';
import { PACK_JSON_CASES } from '../rule-cases/pack-json.ts';

describeRuleCases(PACK_JSON_CASES);
