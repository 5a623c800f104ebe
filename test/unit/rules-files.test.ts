import { describeRuleCases } from '../helpers/rule-cases.ts';
import { FILES_CASES } from '../rule-cases/files.ts';

describeRuleCases(FILES_CASES);
