#!/usr/bin/env node
// The `sentinel` command (package.json "bin"): runs the TypeScript auditor CLI through tsx's loader,
// so a fresh clone works after `npm ci` without a build step.
import { tsImport } from "tsx/esm/api";

const { main } = await tsImport("../handlers/cli/main.ts", import.meta.url);
process.exitCode = await main(process.argv.slice(2));
