import { escapeHtml, htmlReport, markdownToHtml } from "../../src/evaluation/htmlReport";

describe("htmlReport", () => {
  it("renders the report's headings and tables, escaping text and keeping alignment", () => {
    const md = ["### gorse-5fold on ml-100k", "", "| model | nDCG@10 |", "|---|---:|", "| ease | 0.4457 |", "| _WRMF (published)_ | 0.4160 |", "| a<b | **1** |"].join("\n");
    expect(markdownToHtml(md)).toBe(
      [
        "<h3>gorse-5fold on ml-100k</h3>",
        "<table>",
        '<thead><tr><th style="text-align:left">model</th><th style="text-align:right">nDCG@10</th></tr></thead>',
        "<tbody>",
        '<tr><td style="text-align:left">ease</td><td style="text-align:right">0.4457</td></tr>',
        '<tr><td style="text-align:left"><em>WRMF (published)</em></td><td style="text-align:right">0.4160</td></tr>',
        '<tr><td style="text-align:left">a&lt;b</td><td style="text-align:right"><strong>1</strong></td></tr>',
        "</tbody></table>",
      ].join("\n"),
    );
  });

  it("makes one self-contained page with the charts inline and no scripts", () => {
    const page = htmlReport("Run <1>", "plain text", [{ title: "ndcg curve", svg: '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>' }]);
    expect(page).toContain("<title>Run &lt;1&gt;</title>");
    expect(page).toContain('<figure><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg><figcaption>ndcg curve</figcaption></figure>');
    expect(page).toContain("<p>plain text</p>");
    expect(page).not.toMatch(/<script|<\?xml|https?:\/\/(?!www\.w3\.org)/);
    expect(escapeHtml(`"&"`)).toBe("&quot;&amp;&quot;");
  });
});
