/**
 * EventBridge Scheduler expressions the nightly ETL trigger may use: `rate(...)` and `cron(...)`.
 * Returns the problem in words, or undefined when the expression is valid.
 */

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.+)\)$/;

/** Allowed characters per cron field, in Scheduler's order (minutes ... year). */
const CRON_FIELDS: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: "minutes", pattern: /^(\*|[0-5]?\d)([,\-/][0-5]?\d)*$/ },
  { name: "hours", pattern: /^(\*|[01]?\d|2[0-3])([,\-/]([01]?\d|2[0-3]))*$/ },
  { name: "day-of-month", pattern: /^(\?|\*|L|LW|([1-9]|[12]\d|3[01])W?)([,\-/]([1-9]|[12]\d|3[01]))*$/ },
  { name: "month", pattern: /^(\*|[1-9]|1[0-2]|[A-Z]{3})([,\-/]([1-9]|1[0-2]|[A-Z]{3}))*$/ },
  { name: "day-of-week", pattern: /^(\?|\*|[1-7]L?|[A-Z]{3}L?|[1-7]#[1-5])([,\-/]([1-7]|[A-Z]{3}))*$/ },
  { name: "year", pattern: /^(\*|(19[7-9]\d|2[01]\d\d))([,\-/](19[7-9]\d|2[01]\d\d|\d+))*$/ },
];

export function scheduleExpressionProblem(expression: string): string | undefined {
  const rate = RATE.exec(expression);
  if (rate !== null) {
    const value = Number(rate[1]);
    const unit = rate[2] ?? "";
    if (value < 1) return "a rate must be at least 1";
    if ((value === 1) !== !unit.endsWith("s")) {
      return `use "${value} ${value === 1 ? unit.replace(/s$/, "") : `${unit.replace(/s$/, "")}s`}" (singular unit only for 1)`;
    }
    return undefined;
  }
  const cron = CRON.exec(expression);
  if (cron === null) return 'must be "rate(<n> <unit>)" or "cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)"';
  const fields = (cron[1] ?? "").trim().split(/\s+/);
  if (fields.length !== CRON_FIELDS.length) return `a cron expression has 6 fields, got ${fields.length}`;
  for (const [index, field] of CRON_FIELDS.entries()) {
    const value = fields[index] ?? "";
    if (!field.pattern.test(value)) return `cron field ${field.name} "${value}" is not valid`;
  }
  const dayOfMonth = fields[2];
  const dayOfWeek = fields[4];
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
    return "exactly one of day-of-month and day-of-week must be ?";
  }
  return undefined;
}
