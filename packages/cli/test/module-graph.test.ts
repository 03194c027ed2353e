import { describe, expect, it } from "vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * How the modules of `packages/*\/src` import each other and Effect's packages:
 * - no module imports itself through others: a circle makes the order in which modules load
 *   decide whether a value exists yet, and keeps a reader from taking a piece alone. Type-only
 *   imports count too (they tie the files together for a reader just the same);
 * - Effect's packages are imported by module (`effect/Effect`, `@effect/platform/HttpApi`), never
 *   by their index: Node loads every module an index names (the `effect` index alone pulls in
 *   hundreds), which is most of a cold start;
 * - a CLI command file declares options and loads its work when it runs: nothing under
 *   `cli/src/commands` imports a service, an adapter or the HTTP package.
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

const EFFECT_INDEXES = /\bfrom\s*"(effect|@effect\/[a-z-]+)"/g

const imports = (file: string) => [...fs.readFileSync(file, "utf8").matchAll(SPECIFIER)].map((match) => match[1]!)

const relative = (file: string) => path.relative(PACKAGES, file)

describe("packages/*/src", () => {
  it("has sources to check, and finds their imports", () => {
    expect(files.length).toBeGreaterThan(100)
    expect([...graph.values()].flat().length).toBeGreaterThan(files.length)
  })

  it("has no import circle", () => {
    expect(circles()).toEqual([])
  })

  it("imports Effect's packages by module, not by index", () => {
    const byIndex = files.flatMap((file) =>
      [...fs.readFileSync(file, "utf8").matchAll(EFFECT_INDEXES)].map((match) => `${relative(file)}: ${match[1]}`)
    )
    expect(byIndex).toEqual([])
  })

  it("keeps the CLI's command files free of services, adapters and HTTP", () => {
    const commands = files.filter((file) => relative(file).startsWith(path.join("cli", "src", "commands")))
    expect(commands.length).toBeGreaterThan(5)
    const heavy = commands.flatMap((file) =>
      imports(file)
        .filter((specifier) => /^@provisio\/(adapters|http)\/|\/service$/.test(specifier))
        .map((specifier) => `${relative(file)}: ${specifier}`)
    )
    expect(heavy).toEqual([])
  })
})
