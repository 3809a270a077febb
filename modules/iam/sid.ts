/** Turns a construct id such as `vpc-flow-logs` into a statement-id fragment such as `VpcFlowLogs`. */
export function sidFragment(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join("");
}
