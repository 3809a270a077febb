/** Bucket policy statements as a policy document's JSON carries them, for tests that put them on a bucket. */

/** Refuses every S3 action on `bucket` and its objects to a request made over plain HTTP. */
export function denyInsecureTransportStatement(bucket: string) {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}
