import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface RegistryAlarmsProps {
  readonly name: string;
  readonly stage: HttpStage;
  readonly function: IFunction;
  /** Percent of requests answered 5xx that raises the alarm. */
  readonly serverErrorRatePercent: number;
  readonly topic?: ITopic;
}

const PERIOD = Duration.minutes(5);
/** Below this many requests in a period, the 5xx rate is not judged (1 error in 3 requests is noise). */
const MIN_REQUESTS = 20;

/**
 * What should wake someone: the API answering 5xx (the registry's own 500s and Lambda failures
 * alike), Lambda throttling (the account's concurrency is exhausted: requests are being refused),
 * and Lambda errors (timeouts and crashes; errors the handler catches are 500s, counted above).
 */
export class RegistryAlarms extends Construct {
  readonly serverErrorRate: Alarm;
  readonly throttles: Alarm;
  readonly errors: Alarm;

  constructor(scope: Construct, id: string, props: RegistryAlarmsProps) {
    super(scope, id);
    // Alarm names are unique per account and region: the stack name keeps two registries apart.
    const prefix = `${Stack.of(this).stackName}-${props.name}`;
    const rate = new MathExpression({
      expression: `IF(requests >= ${MIN_REQUESTS}, 100 * errors / requests, 0)`,
      usingMetrics: {
        errors: props.stage.metricServerError({ period: PERIOD, statistic: Stats.SUM }),
        requests: props.stage.metricCount({ period: PERIOD, statistic: Stats.SUM }),
      },
      period: PERIOD,
      label: '5xx responses (% of requests)',
    });
    this.serverErrorRate = new Alarm(this, 'ServerErrorRate', {
      alarmName: `${prefix}-5xx-rate`,
      alarmDescription: `More than ${props.serverErrorRatePercent}% of registry requests answered 5xx in 2 of the last 3 periods of 5 minutes (with at least ${MIN_REQUESTS} requests). See the function's logs ("unhandled error").`,
      metric: rate,
      threshold: props.serverErrorRatePercent,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.throttles = new Alarm(this, 'Throttles', {
      alarmName: `${prefix}-lambda-throttles`,
      alarmDescription:
        'The registry function was throttled: the account or function concurrency limit is reached and requests are refused.',
      metric: props.function.metricThrottles({ period: PERIOD, statistic: Stats.SUM }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.errors = new Alarm(this, 'Errors', {
      alarmName: `${prefix}-lambda-errors`,
      alarmDescription:
        'The registry function failed outright (timeout after 29 s, out of memory, crash); handled errors are 500s and count in the 5xx alarm.',
      metric: props.function.metricErrors({ period: PERIOD, statistic: Stats.SUM }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (props.topic) {
      const action = new SnsAction(props.topic);
      for (const alarm of [this.serverErrorRate, this.throttles, this.errors]) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }
}
