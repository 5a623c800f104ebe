import { describeRuleCases } from '../helpers/rule-cases.ts';
import { ASSETS_CASES } from '../rule-cases/assets.ts';

describeRuleCases(ASSETS_CASES);
