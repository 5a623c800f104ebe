import { describeRuleCases } from '../helpers/rule-cases.ts';
import { MANIFESTS_CASES } from '../rule-cases/manifests.ts';

describeRuleCases(MANIFESTS_CASES);
