import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts"],
    globalSetup: ["./vitest.setup.global.ts"],
    // PGlite is WASM: starting one takes seconds, more so when both cores are busy.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Child processes: each PGlite (WASM, ~100 MB) lives in its own heap, freed when the worker exits.
    pool: "forks"
  }
})
