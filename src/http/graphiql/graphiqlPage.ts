import { DEFAULT_HEADERS, EXAMPLE_TABS } from "./exampleOperations";
import { PAGE_SCRIPT, PAGE_STYLE } from "./buildGraphiqlAssets";

// Inside <script type="application/json">, "</script" or "<!--" in a string
// would end or confuse the element; escaping "<" keeps the JSON equal.
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

export function renderGraphiqlPage(assetsPath: string, endpoint: string): string {
  const settings = { endpoint, tabs: EXAMPLE_TABS, headers: DEFAULT_HEADERS };
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Marquee GraphiQL</title>
    <link rel="icon" href="/favicon.svg" type="image/svg+xml">
    <link rel="stylesheet" href="${assetsPath}/${PAGE_STYLE}">
    <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL...</div>
    <noscript>GraphiQL needs JavaScript. The API itself is at ${endpoint} (POST a JSON body with a "query").</noscript>
    <script id="graphiql-settings" type="application/json">${scriptSafeJson(settings)}</script>
    <script type="module" src="${assetsPath}/${PAGE_SCRIPT}"></script>
  </body>
</html>
`;
}
