/**
 * Inline SVG charts for the run report: horizontal bars (quarantine reasons, step durations), a
 * histogram with a marker (anomaly scores and the flagging threshold) and a layered lineage graph
 * (datasets and jobs, left to right). Self-contained markup: no scripts, fonts or external assets.
 */

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const FONT = `font-family="system-ui, -apple-system, 'Segoe UI', sans-serif"`;

/** Shortens text to `max` characters by cutting its middle (the full text stays in a tooltip). */
export function fitText(text: string, max: number): string {
  if (text.length <= max) return text;
  const keep = max - 1;
  return `${text.slice(0, Math.ceil(keep / 2))}…${text.slice(text.length - Math.floor(keep / 2))}`;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString("en-US") : value.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

export interface Bar {
  readonly label: string;
  readonly value: number;
  /** shown instead of the value, e.g. "12.3 s" */
  readonly caption?: string;
}

export function barChart(
  bars: readonly Bar[],
  options: { readonly width?: number; readonly color?: string; readonly title: string },
): string {
  if (bars.length === 0) return `<p class="empty">${escapeXml(options.title)}: none</p>`;
  const width = options.width ?? 640;
  const rowHeight = 26;
  const labelChars = Math.min(Math.max(...bars.map((bar) => bar.label.length)), Math.floor((width * 0.45) / 6.8));
  const labelWidth = labelChars * 6.8 + 16;
  const plotWidth = width - labelWidth - 90;
  const max = Math.max(...bars.map((bar) => bar.value), 1);
  const height = bars.length * rowHeight + 8;
  const rows = bars.map((bar, index) => {
    const y = index * rowHeight + 4;
    const length = Math.max((bar.value / max) * plotWidth, bar.value > 0 ? 2 : 0);
    return [
      `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end" font-size="12" ${FONT}><title>${escapeXml(bar.label)}</title>${escapeXml(fitText(bar.label, labelChars))}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${length.toFixed(1)}" height="${rowHeight - 8}" rx="3" fill="${options.color ?? "#c2410c"}"/>`,
      `<text x="${(labelWidth + length + 6).toFixed(1)}" y="${y + 16}" font-size="12" fill="#334155" ${FONT}>${escapeXml(bar.caption ?? formatNumber(bar.value))}</text>`,
    ].join("");
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeXml(options.title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${rows.join("")}</svg>`;
}

export function histogram(
  edges: readonly number[],
  counts: readonly number[],
  options: { readonly title: string; readonly marker?: number; readonly markerLabel?: string },
): string {
  if (counts.length === 0) return `<p class="empty">${escapeXml(options.title)}: no scored rows</p>`;
  const width = 640;
  const height = 240;
  const margin = { left: 56, right: 16, top: 16, bottom: 40 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const low = edges[0] as number;
  const high = edges[edges.length - 1] as number;
  const span = high - low || 1;
  const max = Math.max(...counts, 1);
  const x = (value: number) => margin.left + ((value - low) / span) * plotWidth;
  const y = (count: number) => margin.top + plotHeight - (count / max) * plotHeight;
  const bars = counts.map((count, index) => {
    const left = x(edges[index] as number);
    const right = x(edges[index + 1] as number);
    const flagged = options.marker !== undefined && (edges[index + 1] as number) > options.marker;
    return `<rect x="${(left + 0.5).toFixed(1)}" y="${y(count).toFixed(1)}" width="${Math.max(right - left - 1, 1).toFixed(1)}" height="${(margin.top + plotHeight - y(count)).toFixed(1)}" fill="${flagged ? "#dc2626" : "#2563eb"}"><title>${escapeXml(`${(edges[index] as number).toFixed(3)}–${(edges[index + 1] as number).toFixed(3)}: ${formatNumber(count)} rows`)}</title></rect>`;
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((fraction) => {
    const value = low + fraction * span;
    return `<text x="${x(value).toFixed(1)}" y="${height - 22}" text-anchor="middle" font-size="11" fill="#475569" ${FONT}>${value.toFixed(2)}</text>`;
  });
  const yTicks = [0, 0.5, 1].map(
    (fraction) =>
      `<text x="${margin.left - 6}" y="${(y(max * fraction) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#475569" ${FONT}>${formatNumber(Math.round(max * fraction))}</text>`,
  );
  const marker =
    options.marker === undefined
      ? ""
      : `<line x1="${x(options.marker).toFixed(1)}" x2="${x(options.marker).toFixed(1)}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#0f172a" stroke-dasharray="4 3"/><text x="${(x(options.marker) + 4).toFixed(1)}" y="${margin.top + 12}" font-size="11" ${FONT}>${escapeXml(options.markerLabel ?? "")}</text>`;
  const axis = `<line x1="${margin.left}" x2="${width - margin.right}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight}" stroke="#94a3b8"/><text x="${margin.left + plotWidth / 2}" y="${height - 4}" text-anchor="middle" font-size="11" fill="#475569" ${FONT}>anomaly_score</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeXml(options.title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${bars.join("")}${axis}${ticks.join("")}${yTicks.join("")}${marker}</svg>`;
}

export interface GraphNode {
  readonly id: string;
  readonly kind: "dataset" | "job";
}

/** Longest distance from a source node, so every edge points right. */
function layers(nodes: readonly GraphNode[], edges: ReadonlyArray<readonly [string, string]>): Map<string, number> {
  const layer = new Map(nodes.map((node) => [node.id, 0]));
  for (let pass = 0; pass < nodes.length; pass++) {
    let changed = false;
    for (const [from, to] of edges) {
      const next = (layer.get(from) ?? 0) + 1;
      if (next > (layer.get(to) ?? 0)) {
        layer.set(to, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return layer;
}

/** The last path segments of a dataset URI or the name of a job, short enough for a box. */
function nodeLabel(node: GraphNode): string[] {
  if (node.kind === "job") return [fitText(node.id.split("/").pop() ?? node.id, 36)];
  const match = node.id.match(/^s3:\/\/([^/]+)\/?(.*)$/);
  if (match === null) return [node.id];
  const [, bucket, key] = match as unknown as [string, string, string];
  const tail = key.split("/").filter(Boolean).slice(-2).join("/");
  return [fitText(bucket, 40), tail.length > 40 ? `…${tail.slice(-39)}` : tail];
}

export function lineageGraph(nodes: readonly GraphNode[], edges: ReadonlyArray<readonly [string, string]>, title: string): string {
  if (nodes.length === 0) return `<p class="empty">${escapeXml(title)}: no lineage records</p>`;
  const layerOf = layers(nodes, edges);
  const columns = new Map<number, GraphNode[]>();
  for (const node of nodes) columns.set(layerOf.get(node.id) ?? 0, [...(columns.get(layerOf.get(node.id) ?? 0) ?? []), node]);
  const boxWidth = 260;
  const boxHeight = 44;
  const gapX = 70;
  const gapY = 22;
  const tallest = Math.max(...[...columns.values()].map((column) => column.length));
  const width = columns.size * boxWidth + (columns.size - 1) * gapX + 20;
  const height = tallest * boxHeight + (tallest - 1) * gapY + 20;
  const position = new Map<string, { x: number; y: number }>();
  for (const [layer, column] of columns) {
    const offset = (height - (column.length * boxHeight + (column.length - 1) * gapY)) / 2;
    column.forEach((node, index) => position.set(node.id, { x: 10 + layer * (boxWidth + gapX), y: offset + index * (boxHeight + gapY) }));
  }
  const arrows = edges.map(([from, to]) => {
    const a = position.get(from);
    const b = position.get(to);
    if (a === undefined || b === undefined) return "";
    const x1 = a.x + boxWidth;
    const y1 = a.y + boxHeight / 2;
    const x2 = b.x;
    const y2 = b.y + boxHeight / 2;
    const bend = (x2 - x1) / 2;
    return `<path d="M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2 - 6},${y2}" fill="none" stroke="#64748b" stroke-width="1.5" marker-end="url(#arrow)"/>`;
  });
  const boxes = nodes.map((node) => {
    const { x, y } = position.get(node.id) as { x: number; y: number };
    const job = node.kind === "job";
    const lines = nodeLabel(node);
    const text = lines
      .map(
        (line, index) =>
          `<text x="${x + boxWidth / 2}" y="${y + (lines.length === 1 ? 27 : 18 + index * 15)}" text-anchor="middle" font-size="${index === 0 ? 12 : 11}" ${index === 0 && !job ? 'fill="#475569"' : ""} ${FONT}>${escapeXml(line)}</text>`,
      )
      .join("");
    return `<g><title>${escapeXml(node.id)}</title><rect x="${x}" y="${y}" width="${boxWidth}" height="${boxHeight}" rx="${job ? 6 : 14}" fill="${job ? "#ede9fe" : "#ecfeff"}" stroke="${job ? "#7c3aed" : "#0891b2"}"/>${text}</g>`;
  });
  const defs = `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#64748b"/></marker></defs>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeXml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${defs}${arrows.join("")}${boxes.join("")}</svg>`;
}
