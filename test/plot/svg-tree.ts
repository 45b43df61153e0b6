/**
 * A strict little XML reader for the plots' SVG: it fails on unbalanced or crossed tags,
 * unquoted attributes, a raw "<" or "&" in text or attributes, and anything after the
 * root; it returns the element tree for queries. Written for these tests (no DOM here),
 * independent of the code that writes the SVG.
 */
export interface SvgNode {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: SvgNode[];
  text: string;
}

const ENTITY = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function checkText(text: string, where: string): string {
  if (text.includes("<")) throw new Error(`raw "<" in ${where}: ${text.slice(0, 60)}`);
  const stripped = text.replace(ENTITY, "");
  if (stripped.includes("&")) throw new Error(`raw "&" in ${where}: ${text.slice(0, 60)}`);
  return text.replace(ENTITY, (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" })[e] ?? String.fromCodePoint(e.startsWith("#x") ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)));
}

/** Parses an SVG document; throws on any well-formedness error. */
export function parseSvg(source: string): SvgNode {
  const trimmed = source.trim();
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[A-Za-z_:][\w:.-]*\s*=\s*"[^"]*")*)\s*(\/?)>/y;
  const attribute = /([A-Za-z_:][\w:.-]*)\s*=\s*"([^"]*)"/g;
  const stack: SvgNode[] = [];
  let root: SvgNode | null = null;
  let position = 0;
  while (position < trimmed.length) {
    const next = trimmed.indexOf("<", position);
    const textEnd = next === -1 ? trimmed.length : next;
    const between = trimmed.slice(position, textEnd);
    if (between.trim() !== "") {
      if (stack.length === 0) throw new Error(`text outside the root element: ${between.slice(0, 60)}`);
      stack[stack.length - 1]!.text += checkText(between, `<${stack[stack.length - 1]!.name}>`);
    }
    if (next === -1) break;
    tag.lastIndex = next;
    const m = tag.exec(trimmed);
    if (m === null) throw new Error(`malformed tag at ${next}: ${trimmed.slice(next, next + 80)}`);
    const [whole, closing, name, attrText, selfClosing] = m as unknown as [string, string, string, string, string];
    if (closing) {
      if (attrText.trim() !== "" || selfClosing) throw new Error(`malformed closing tag </${name}>`);
      const open = stack.pop();
      if (open === undefined || open.name !== name) throw new Error(`</${name}> closes <${open?.name ?? "nothing"}>`);
    } else {
      if (root !== null && stack.length === 0) throw new Error(`a second root element <${name}>`);
      const attributes: Record<string, string> = {};
      for (const a of attrText.matchAll(attribute)) {
        if (a[1]! in attributes) throw new Error(`attribute ${a[1]} twice on <${name}>`);
        attributes[a[1]!] = checkText(a[2]!, `${name}@${a[1]}`);
      }
      const node: SvgNode = { name, attributes, children: [], text: "" };
      if (stack.length > 0) stack[stack.length - 1]!.children.push(node);
      else root = node;
      if (!selfClosing) stack.push(node);
    }
    position = next + whole.length;
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root === null) throw new Error("no root element");
  return root;
}

/** Every element of the tree, depth first. */
export function all(node: SvgNode): SvgNode[] {
  return [node, ...node.children.flatMap(all)];
}

/** Elements with `name` (or any name, "*") whose class list contains `className` (if given). */
export function find(node: SvgNode, name: string, className?: string): SvgNode[] {
  return all(node).filter((n) => (name === "*" || n.name === name) && (className === undefined || (n.attributes["class"] ?? "").split(/\s+/).includes(className)));
}

/** All text under a node. */
export function textOf(node: SvgNode): string {
  return node.text + node.children.map(textOf).join("");
}

/** The points of path data made of M, L and Z commands, split into pieces at each M. */
export function pathPieces(d: string): [number, number][][] {
  const pieces: [number, number][][] = [];
  for (const m of d.matchAll(/([MLZ])([^MLZ]*)/g)) {
    if (m[1] === "Z") continue;
    const [x, y] = m[2]!.split(",").map(Number) as [number, number];
    if (m[1] === "M") pieces.push([]);
    pieces[pieces.length - 1]!.push([x, y]);
  }
  return pieces;
}

/** The plot area: its rectangle and domains, from the `rect.plot-area` the plots write. */
export function plotArea(node: SvgNode, index = 0) {
  const rect = find(node, "rect", "plot-area")[index]!;
  const n = (k: string) => Number(rect.attributes[k]);
  const domain = (k: string) => rect.attributes[k]!.split(" ").map(Number) as [number, number];
  return {
    left: n("x"),
    top: n("y"),
    width: n("width"),
    height: n("height"),
    xDomain: domain("data-x-domain"),
    yDomain: domain("data-y-domain"),
    xScale: rect.attributes["data-x-scale"],
    yScale: rect.attributes["data-y-scale"],
  };
}
