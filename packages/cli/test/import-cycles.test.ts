import { describe, expect, it } from "vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * No module of `packages/*\/src` imports itself through others: a circle makes the order in which
 * modules load decide whether a value exists yet, and keeps a reader from taking a piece alone.
 * Type-only imports count too (they tie the files together for a reader just the same).
 */

const PACKAGES = fileURLToPath(new URL("../../", import.meta.url))

const sourcesOf = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return sourcesOf(full)
    return entry.name.endsWith(".ts") ? [full] : []
  })

const files = fs.readdirSync(PACKAGES).flatMap((name) => {
  const src = path.join(PACKAGES, name, "src")
  return fs.existsSync(src) ? sourcesOf(src) : []
})

const SPECIFIER = /\b(?:import|export)\b[^'";]*?\bfrom\s*["']([^"']+)["']/g

/** The source file a specifier names: relative, or `@provisio/<package>/<path>` (the packages' `./*` export). */
const resolve = (from: string, specifier: string): string | undefined => {
  const target = specifier.startsWith(".")
    ? path.resolve(path.dirname(from), specifier)
    : specifier.startsWith("@provisio/")
    ? path.join(PACKAGES, specifier.slice("@provisio/".length).replace("/", "/src/"))
    : undefined
  if (target === undefined) return undefined
  // Relative imports name the built file (`./model.js`): its source is `./model.ts`.
  const base = target.replace(/\.js$/, "")
  return [`${base}.ts`, path.join(base, "index.ts")].find((candidate) => fs.existsSync(candidate))
}

const graph = new Map(files.map((file) => [
  file,
  [...fs.readFileSync(file, "utf8").matchAll(SPECIFIER)]
    .map((match) => resolve(file, match[1]!))
    .filter((target): target is string => target !== undefined)
]))

/** Every circle, each as the files along it (depth-first search, grey/black marking). */
const circles = () => {
  const found: Array<Array<string>> = []
  const state = new Map<string, "open" | "done">()
  const stack: Array<string> = []
  const visit = (file: string) => {
    state.set(file, "open")
    stack.push(file)
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next])
      else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(file, "done")
  }
  for (const file of files) if (!state.has(file)) visit(file)
  return found.map((circle) => circle.map((file) => path.relative(PACKAGES, file)).join(" -> "))
}

describe("packages/*/src", () => {
  it("has sources to check, and finds their imports", () => {
    expect(files.length).toBeGreaterThan(100)
    expect([...graph.values()].flat().length).toBeGreaterThan(files.length)
  })

  it("has no import circle", () => {
    expect(circles()).toEqual([])
  })
})
