/**
 * The one Lambda wrapper every handler uses, in the style of Powertools' middleware
 * (`injectLambdaContext`): the invocation context goes into the structured logger, a failure is
 * logged by error class and message only (never event values) and rethrown, so Lambda's retries and
 * the dead-letter queue see it. The wrapped function is the domain entry point; it gets the logger,
 * the request id and the handler's name, and knows nothing else about Lambda.
 *
 * Not used from Powertools, and why:
 * - Idempotency (`makeIdempotent`): its persistence layers are DynamoDB and caches; the trigger's
 *   idempotency is a conditional S3 write of the run window (trigger/run-window-claim.ts) that also
 *   adopts a run a crashed predecessor started, which a request-hash record cannot express, and the
 *   platform has no DynamoDB table to add for it.
 * - Tracer: the functions run with X-Ray active tracing (modules/handlers/pipeline-function.ts), which
 *   records every invocation; SDK call subsegments would need @aws-lambda-powertools/tracer, a new
 *   dependency not in the lockfile.
 */
import type { Context } from "aws-lambda";
import { handlerLogger, logFailure, type Logger } from "./logger";

export interface Invocation {
  readonly logger: Logger;
  /** Lambda's request id: names the invocation in audit events and claims. */
  readonly requestId: string;
  /** The invoked function's ARN: the actor's handler in audit events. */
  readonly handlerName: string;
}

/** `run` as a Lambda handler logging under `serviceName` (e.g. sentinel-trigger). */
export function lambdaHandler<Result>(
  serviceName: string,
  run: (event: unknown, invocation: Invocation) => Promise<Result>,
): (event: unknown, context: Context) => Promise<Result> {
  const logger = handlerLogger(serviceName);
  return async (event, context) => {
    logger.addContext(context);
    try {
      return await run(event, { logger, requestId: context.awsRequestId, handlerName: context.invokedFunctionArn });
    } catch (error) {
      logFailure(logger, error);
      throw error;
    }
  };
}

/**
 * Client options of a deployed handler: the SDK resolves endpoints itself (AWS_ENDPOINT_URL is set only
 * against the local emulator, which needs path-style S3).
 */
export function deployedClientOptions(environment: NodeJS.ProcessEnv = process.env): { readonly forcePathStyle: boolean } {
  return { forcePathStyle: environment.AWS_ENDPOINT_URL !== undefined };
}
