import { runGcJob } from './job.ts';

/** Scheduled by EventBridge; the report goes to the logs (and is the invocation's result). */
export const handler = async (_event: unknown, context: { getRemainingTimeInMillis(): number }) => {
  const report = await runGcJob(process.env, context.getRemainingTimeInMillis());
  console.log(JSON.stringify({ level: 'info', msg: 'gc run', ...report }));
  return report;
};
