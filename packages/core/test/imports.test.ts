/// <reference types="vite/client" />
import { describe, expect, it } from "vitest"

/**
 * The core holds the domain and depends on `effect` only, so it runs anywhere and every I/O choice
 * stays in the adapters. Read through Vite's glob so this test needs no file system module either.
 */
const sources = import.meta.glob<string>("../src/**/*.ts", { query: "?raw", import: "default", eager: true })

const specifiers = (source: string) =>
  [
    /\b(?:import|export)\b[^'";]*?\bfrom\s*["']([^"']+)["']/g, // import … from, export … from
    /\bimport\s*["']([^"']+)["']/g, // import "x" (side effects only)
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g, // import("x")
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g // import x = require("x")
  ].flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!))

const allowed = (specifier: string) =>
  specifier === "effect" || specifier.startsWith("effect/") || specifier.startsWith("./") || specifier.startsWith("../")

describe("packages/core imports", () => {
  const files = Object.keys(sources).sort()

  it("has sources to check", () => {
    expect(files.length).toBeGreaterThan(0)
  })

  it.each(files)("%s imports only effect and relative modules", (file) => {
    expect(specifiers(sources[file]!).filter((specifier) => !allowed(specifier))).toEqual([])
  })

  // Configuration is read once, at the edge (http/src/config.ts); the core has references with defaults.
  it.each(files)("%s reads no environment (no Config)", (file) => {
    expect(sources[file]!).not.toMatch(/\bConfig\.(string|integer|number|boolean|duration|option|all|redacted)\(/)
  })
})
