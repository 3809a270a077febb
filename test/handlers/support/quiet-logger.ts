import { Logger } from "@aws-lambda-powertools/logger";

export const quietLogger = new Logger({ serviceName: "test", logLevel: "SILENT" });
