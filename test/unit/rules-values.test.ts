import { describeRuleCases } from '../helpers/rule-cases.ts';
import { VALUES_CASES } from '../rule-cases/values.ts';

describeRuleCases(VALUES_CASES);
