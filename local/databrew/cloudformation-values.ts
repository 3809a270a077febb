/**
 * Resolves the CloudFormation intrinsic functions a deployed template may use in the properties the
 * local DataBrew service reads: Ref (stack parameters, resources of the same template, pseudo
 * parameters), Fn::Join and Fn::Sub. The emulator stores templates as submitted and does not create
 * DataBrew resources, so the local service evaluates them itself, once, from the deployed stack.
 */

export interface ResolutionContext {
  /** Stack parameter values, as DescribeStacks returns them. */
  readonly parameters: Readonly<Record<string, string>>;
  /** What `Ref` of a resource in the template returns (for DataBrew resources: their Name). */
  readonly resourceRefs: Readonly<Record<string, string>>;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly stackName: string;
}

export class TemplateResolutionError extends Error {
  override readonly name = "TemplateResolutionError";
}

function pseudoParameter(name: string, context: ResolutionContext): string | undefined {
  return {
    "AWS::Region": context.region,
    "AWS::AccountId": context.accountId,
    "AWS::Partition": context.partition,
    "AWS::StackName": context.stackName,
    "AWS::URLSuffix": "amazonaws.com",
  }[name];
}

function resolveRef(name: string, context: ResolutionContext): string {
  const value = context.parameters[name] ?? context.resourceRefs[name] ?? pseudoParameter(name, context);
  if (value === undefined)
    throw new TemplateResolutionError(
      `Ref to ${name}, which is neither a parameter, a resource nor a pseudo parameter of stack ${context.stackName}`,
    );
  return value;
}

function substitute(template: string, variables: Readonly<Record<string, unknown>>, context: ResolutionContext): string {
  return template.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
    if (name in variables) return String(resolveValue(variables[name], context));
    if (name.includes("."))
      throw new TemplateResolutionError(`Fn::Sub with attribute ${name} is not supported by the local DataBrew service`);
    return resolveRef(name, context);
  });
}

export function resolveValue(value: unknown, context: ResolutionContext): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, context));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [[key, argument]] = entries as [[string, unknown]];
    if (key === "Ref") return resolveRef(String(argument), context);
    if (key === "Fn::Join") {
      const [separator, parts] = argument as [string, unknown[]];
      return parts.map((part) => String(resolveValue(part, context))).join(separator);
    }
    if (key === "Fn::Sub") {
      const [template, variables] = typeof argument === "string" ? [argument, {}] : (argument as [string, Record<string, unknown>]);
      return substitute(template, variables, context);
    }
    if (key.startsWith("Fn::"))
      throw new TemplateResolutionError(`${key} is not supported by the local DataBrew service (stack ${context.stackName})`);
  }
  return Object.fromEntries(entries.map(([key, inner]) => [key, resolveValue(inner, context)]));
}
