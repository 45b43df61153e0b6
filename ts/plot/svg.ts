/**
 * Writing SVG as text: elements with escaped attributes, numbers rounded to two
 * decimals (so the same data always gives the same bytes), and a rough width of a label
 * in a proportional font, enough to lay out legends and margins without a browser.
 */

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&apos;"));
}

/** A pixel coordinate or length with at most two decimals, never "-0". */
export function px(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return String(rounded === 0 ? 0 : rounded);
}

/** Attributes of an element; numbers are written with px(), undefined ones left out. */
export type Attributes = Readonly<Record<string, string | number | undefined>>;

/** `<name attr="…">children</name>` (self-closing without children); numbers go through px(), undefined attributes are left out. */
export function element(name: string, attributes: Attributes = {}, children: string | readonly string[] = ""): string {
  let open = `<${name}`;
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    open += ` ${key}="${typeof value === "number" ? px(value) : escapeXml(value)}"`;
  }
  const body = typeof children === "string" ? children : children.join("");
  return body === "" ? `${open}/>` : `${open}>${body}</${name}>`;
}

/** A `<text>` element with escaped content. */
export function text(content: string, attributes: Attributes = {}): string {
  return element("text", attributes, escapeXml(content));
}

/** Approximate advance widths (em) in a sans-serif font (DejaVu Sans, one of the widest), so legends fit without measuring text. */
const NARROW = new Set("iljtfrI.,:;'|!()[]{} ");
const WIDE = new Set("mwMW@%");

/** Approximate width in pixels of `content` at `fontSize` (errs on the wide side). */
export function textWidth(content: string, fontSize: number): number {
  let em = 0;
  for (const c of content) em += NARROW.has(c) ? 0.34 : WIDE.has(c) ? 0.92 : c >= "A" && c <= "Z" ? 0.72 : c >= "0" && c <= "9" ? 0.64 : 0.61;
  return em * fontSize;
}

/** Tableau 10, a qualitative palette whose colours stay distinct on white and on pale fills. */
export const PALETTE: readonly string[] = Object.freeze(["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#b07aa1", "#9c755f", "#ff9da7", "#edc948", "#bab0ac"]);

/** The colour of series `index` (the palette repeats after ten). */
export const seriesColor = (index: number): string => PALETTE[index % PALETTE.length]!;

/** Unicode superscripts, for tick labels such as 10⁻³. */
const SUPERSCRIPT: Readonly<Record<string, string>> = { "-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹" };

/** 10ⁿ written with a superscript exponent. */
export function powerOfTen(exponent: number): string {
  if (exponent === 0) return "1";
  if (exponent === 1) return "10";
  return `10${[...String(exponent)].map((c) => SUPERSCRIPT[c] ?? c).join("")}`;
}

/** A short, fixed-width rendering of a value for labels: 3 significant digits, exponent form outside [1e-3, 1e5). */
export function shortNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) {
    const [mantissa, exponent] = value.toExponential(2).split("e") as [string, string];
    return `${mantissa.replace(/\.?0+$/, "")}e${exponent.replace("+", "")}`;
  }
  return String(Number(value.toPrecision(3))).replace("-", "−");
}
