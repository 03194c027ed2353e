import { defineConfig } from "vite"

/**
 * The console builds to static files in dist/, served by `provisio serve` at /console (and by any
 * host that mounts `consoleHandler` beside the API). Asset URLs are relative: the server writes a
 * `<base href>` into index.html naming where it is mounted, so one build serves under any prefix.
 */
export default defineConfig({
  base: "./",
  // @provisio/client is bundled from its TypeScript source (its "source" export), so the console
  // does not wait for the client's tsc output.
  resolve: { conditions: ["source", "module", "browser", "development|production"] },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    reportCompressedSize: false
  }
})
