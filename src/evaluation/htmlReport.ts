// A self-contained HTML page for an evaluation run: the markdown report's
// headings and tables rendered as HTML, with the SVG charts inline (no
// scripts, no external assets), so it opens from disk anywhere.
export interface Chart {
  readonly title: string;
  readonly svg: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

// `_x_` (italics, used for the published rows) and `**x**` (bold).
function inline(text: string): string {
  return escapeHtml(text)
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|\s)_([^_]+)_(?=\s|$)/g, "$1<em>$2</em>");
}

function cells(line: string): string[] {
  return line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
}

// The subset of markdown that markdownReport writes: headings, tables, paragraphs.
export function markdownToHtml(markdown: string): string {
  const lines = markdown.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = heading[1].length;
      out.push(`<h${level}>${inline(heading[2])}</h${level}>`);
    } else if (line.trim().startsWith("|") && i + 1 < lines.length && /^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1])) {
      const header = cells(line);
      const align = cells(lines[i + 1]).map((c) => (c.endsWith(":") ? "right" : "left"));
      const rows: string[][] = [];
      i += 2;
      while (i < lines.length && lines[i].trim().startsWith("|")) rows.push(cells(lines[i++]));
      i--;
      out.push("<table>");
      out.push(`<thead><tr>${header.map((h, k) => `<th style="text-align:${align[k] ?? "left"}">${inline(h)}</th>`).join("")}</tr></thead>`);
      out.push("<tbody>");
      for (const row of rows) out.push(`<tr>${row.map((c, k) => `<td style="text-align:${align[k] ?? "left"}">${inline(c)}</td>`).join("")}</tr>`);
      out.push("</tbody></table>");
    } else if (line.trim() !== "") {
      out.push(`<p>${inline(line)}</p>`);
    }
  }
  return out.join("\n");
}

export function htmlReport(title: string, markdown: string, charts: readonly Chart[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.6rem; }
th { background: #f4f4f4; }
figure { margin: 1.5rem 0; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${markdownToHtml(markdown)}
${charts.map((c) => `<figure>${c.svg.replace(/^<\?xml[^>]*>\s*/, "")}<figcaption>${escapeHtml(c.title)}</figcaption></figure>`).join("\n")}
</body>
</html>
`;
}
