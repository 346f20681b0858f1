// GraphiQL in the browser, bundled once by esbuild (see ../buildGraphiqlAssets.ts)
// so that nothing is loaded from a CDN. Plain JavaScript without JSX: this file
// is not part of the server's TypeScript program (it targets the DOM).
import React from "react";
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
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

// The server writes its settings into the page as JSON (no inline script).
const settings = JSON.parse(document.getElementById("graphiql-settings").textContent);
const fetcher = createGraphiQLFetcher({ url: new URL(settings.endpoint, window.location.href).toString() });

createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultTabs: settings.tabs,
    defaultHeaders: settings.headers,
    defaultEditorToolsVisibility: "headers",
    shouldPersistHeaders: false,
  }),
);
