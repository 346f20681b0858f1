// GraphiQL in the browser, bundled once by esbuild (see ../buildGraphiqlAssets.ts)
// so that nothing is loaded from a CDN. Plain JavaScript without JSX: this file
// is not part of the server's TypeScript program (it targets the DOM).
import React from "react";
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
// The same module instance GraphiQL imports lazily (one bundle, no splitting).
import * as monaco from "monaco-graphql/esm/monaco-editor.js";
import "graphiql/style.css";

// Monaco runs its language services in web workers; ours are built beside this
// bundle, next to it under the same /graphiql/assets/ path.
const base = new URL(".", import.meta.url);
globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const file = label === "json" ? "json.worker.js" : label === "graphql" ? "graphql.worker.js" : "editor.worker.js";
    return new Worker(new URL(file, base), { type: "module" });
  },
};

// Long lines wrap in every editor (GraphiQL wraps only the response): a query
// or variables line wider than its pane would otherwise be cut off.
monaco.editor.onDidCreateEditor((editor) => {
  setTimeout(() => editor.updateOptions({ wordWrap: "on" }), 0);
});

// The server writes its settings into the page as JSON (no inline script).
const settings = JSON.parse(document.getElementById("graphiql-settings").textContent);
const fetcher = createGraphiQLFetcher({ url: new URL(settings.endpoint, window.location.href).toString() });

// On a first visit GraphiQL 5 builds the tabs from defaultTabs but fills the
// editors of the first one with its query only: the variables editor starts
// empty, so the first tab fails when run. Give it the first tab's variables
// as the initial ones. Later visits restore the tabs the person left
// (GraphiQL's own localStorage keys) and are left alone.
let firstVisit = true;
try {
  firstVisit = window.localStorage.getItem("graphiql:tabState") === null;
} catch {
  // Storage blocked: GraphiQL keeps nothing either, so every visit is a first one.
}
const first = settings.tabs[0] ?? {};

createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultTabs: settings.tabs,
    defaultHeaders: settings.headers,
    ...(firstVisit ? { initialQuery: first.query, initialVariables: first.variables ?? "" } : {}),
    defaultEditorToolsVisibility: "variables",
    shouldPersistHeaders: false,
  }),
);
