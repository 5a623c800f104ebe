import { describeRuleCases } from '../helpers/rule-cases.ts';
import { CHARTS_CASES } from '../rule-cases/charts.ts';

describeRuleCases(CHARTS_CASES);
