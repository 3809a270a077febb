/** S3's client errors as the SDK throws them, for unit tests whose mocked S3 refuses a call. */
import { S3ServiceException } from "@aws-sdk/client-s3";

function s3ClientError(name: string, httpStatusCode: number, message: string): S3ServiceException {
  return new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode }, message });
}

/** GetObject/HeadObject of a key that is not there. */
export const noSuchKey = (): S3ServiceException => s3ClientError("NoSuchKey", 404, "The specified key does not exist.");

/** A conditional write (If-None-Match, If-Match) whose condition did not hold. */
export const preconditionFailed = (): S3ServiceException =>
  s3ClientError("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold");

/** A call the caller's policies do not allow. */
export const accessDenied = (): S3ServiceException => s3ClientError("AccessDenied", 403, "Access Denied");
