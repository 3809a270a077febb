/**
 * The policy guard reads resources as Terraform will see them: the fully resolved JSON of each
 * resource (tokens resolved, escape-hatch overrides applied), not the construct's inputs.
 */
import { DefaultTokenResolver, StringConcat, TerraformDataSource, TerraformResource, TerraformStack, Tokenization } from "cdktf";
import type { IConstruct } from "constructs";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface ResolvedElement {
  readonly construct: TerraformResource | TerraformDataSource;
  /** e.g. aws_s3_bucket. */
  readonly type: string;
  readonly kind: "resource" | "data";
  /** Logical id in the synthesized JSON. */
  readonly logicalId: string;
  readonly config: JsonObject;
}

/** The resolver cdktf itself uses when it writes cdk.tf.json. */
const RESOLVER = new DefaultTokenResolver(new StringConcat());

export function asResolvedElement(node: IConstruct): ResolvedElement | undefined {
  const kind = TerraformResource.isTerraformResource(node)
    ? "resource"
    : TerraformDataSource.isTerraformDataSource(node)
      ? "data"
      : undefined;
  if (kind === undefined) return undefined;
  const element = node as TerraformResource | TerraformDataSource;
  const stack = TerraformStack.of(element);
  const rendered = Tokenization.resolve(element.toTerraform(), { scope: stack, preparing: false, resolver: RESOLVER }) as {
    [k: string]: { [type: string]: { [id: string]: JsonObject } };
  };
  const byType = rendered[kind]?.[element.terraformResourceType] ?? {};
  const [logicalId, config] = Object.entries(byType)[0] ?? [element.friendlyUniqueId, {}];
  return { construct: element, type: element.terraformResourceType, kind, logicalId, config };
}

/** Terraform JSON allows a nested block as one object or a list of objects. */
export function blocks(value: Json | undefined): JsonObject[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((item): item is JsonObject => typeof item === "object" && item !== null && !Array.isArray(item));
}

export function isTrue(value: Json | undefined): boolean {
  return value === true || value === "true";
}

export function asStrings(value: Json | undefined): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((item): item is string => typeof item === "string");
}
