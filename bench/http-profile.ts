/**
 * Summarizes `node --cpu-prof` output (.cpuprofile files) as bench/http.ts needs it: where the
 * server's CPU time went, by self time (per function, per module, per group of the request path)
 * and by inclusive time per Provisio source file (the time spent with that file on the stack).
 *
 *   npx tsx bench/http-profile.ts <dir or .cpuprofile> [requests]
 *
 * With `requests` (the requests answered while profiling) it prints microseconds per request too.
 * Samples before the first request (a sample with packages/http/dist/middleware/ on its stack)
 * are left out: they are the start (module loading, migrations). Idle time is reported apart and
 * left out of the shares.
 */
import * as fs from "node:fs"
import * as path from "node:path"

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly children?: ReadonlyArray<number>
}
interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const target = process.argv[2]
if (target === undefined) {
  console.error("usage: npx tsx bench/http-profile.ts <dir or .cpuprofile> [requests]")
  process.exit(2)
}
const requests = Number(process.argv[3] ?? 0)
const files = fs.statSync(target).isDirectory()
  ? fs.readdirSync(target).filter((f) => f.endsWith(".cpuprofile")).map((f) => path.join(target, f))
  : [target]

/** A short module name: the package under node_modules, the workspace file, or node's own. */
const moduleOf = (url: string) => {
  if (url === "") return "(native / VM)"
  const nm = url.lastIndexOf("node_modules/")
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split("/")
    const pkg = rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!
    const file = rest.slice(rest[0]!.startsWith("@") ? 2 : 1).filter((p) => !["dist", "esm", "cjs", "lib", "internal"].includes(p)).join("/")
    return `${pkg}:${file.replace(/\.js$/, "")}`
  }
  const ws = /packages\/([^/]+)\/dist\/(.*)\.js$/.exec(url)
  if (ws !== null) return `@provisio/${ws[1]}:${ws[2]}`
  return url.replace(/^file:\/\//, "")
}

/** The request path's parts, by module (first match wins). */
const GROUPS: ReadonlyArray<readonly [string, RegExp]> = [
  ["GC and VM (garbage collector, program)", /^\((garbage collector|program|root)\)/],
  ["SQL client (postgres.js, @effect/sql, @effect/sql-pg)", /^(postgres:|@effect\/sql)/],
  ["Provisio middleware (auth, rate limit, idempotency, log, guards)", /^@provisio\/http:middleware\//],
  ["Provisio adapters (repositories, SQL building)", /^@provisio\/adapters:/],
  ["Provisio core (services, ids, scope checks)", /^@provisio\/core:/],
  ["Provisio http (handlers, envelope, server)", /^@provisio\/http:/],
  ["Routing (HttpRouter, find-my-way)", /^(find-my-way|@effect\/platform:(HttpRouter|internal\/httpRouter))/],
  ["HttpApi plumbing (@effect/platform HttpApi*, HttpServer*)", /^@effect\/platform(-node|-node-shared)?:/],
  ["Schema decode/encode (effect Schema, ParseResult, SchemaAST)", /^effect:(Schema|ParseResult|SchemaAST|schema\/)/],
  ["Logging (effect Logger, Console)", /^effect:(Logger|logger|Console|console|LogSpan)/],
  ["Effect runtime (fibers, scheduler, layers, context)", /^effect:/],
  ["Node: net, http, streams, crypto, fs", /^(node:|internal\/)/],
  ["Other packages", /^[^(]/],
  ["Native / VM", /./]
]

const self = new Map<string, number>()
const selfModule = new Map<string, number>()
const inclusiveFile = new Map<string, number>()
/** Native functions' (url "") self time by their JavaScript caller chain, e.g. writev by who wrote. */
const nativeCallers = new Map<string, number>()
let total = 0
let idle = 0
for (const file of files) {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id)
  const onStack = (id: number | undefined, test: (url: string) => boolean): boolean => {
    for (; id !== undefined; id = parent.get(id)) if (test(byId.get(id)!.callFrame.url)) return true
    return false
  }
  const first = profile.samples.findIndex((id) => onStack(id, (url) => url.includes("packages/http/dist/middleware/")))
  for (let i = Math.max(0, first); i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0
    const node = byId.get(profile.samples[i]!)
    if (node === undefined) continue
    if (node.callFrame.functionName === "(idle)") {
      idle += delta
      continue
    }
    total += delta
    const { functionName, url, lineNumber } = node.callFrame
    const mod = url === "" && functionName.startsWith("(") ? functionName : moduleOf(url)
    const key = `${functionName || "(anonymous)"}  ${mod}:${lineNumber + 1}`
    self.set(key, (self.get(key) ?? 0) + delta)
    selfModule.set(mod, (selfModule.get(mod) ?? 0) + delta)
    if (url === "" && !functionName.startsWith("(")) {
      const chain: Array<string> = []
      for (let id = parent.get(node.id); id !== undefined && chain.length < 3; id = parent.get(id)) {
        const frame = byId.get(id)!.callFrame
        // Past Node's stream plumbing, to who wrote.
        if (/^node:(net|buffer|internal\/(streams|stream_base_commons))/.test(moduleOf(frame.url))) continue
        chain.push(`${frame.functionName || "(anonymous)"} ${moduleOf(frame.url)}:${frame.lineNumber + 1}`)
      }
      const caller = `${functionName} < ${chain.join(" < ")}`
      nativeCallers.set(caller, (nativeCallers.get(caller) ?? 0) + delta)
    }
    // Inclusive time per Provisio file: each file once per sample, however deep it recurs.
    const seen = new Set<string>()
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame
      const m = moduleOf(frame.url)
      if (m.startsWith("@provisio/") && !seen.has(m)) {
        seen.add(m)
        inclusiveFile.set(m, (inclusiveFile.get(m) ?? 0) + delta)
      }
    }
  }
}

const fmt = (micros: number) => {
  const share = `${((100 * micros) / total).toFixed(1).padStart(5)}%`
  const perRequest = requests > 0 ? `  ${(micros / requests).toFixed(1).padStart(7)} us/req` : ""
  return `${share}${perRequest}`
}
const top = (map: Map<string, number>, n: number) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)

console.log(`${files.length} profile(s) from the first request on: ${(total / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle`)
if (requests > 0) console.log(`${requests.toLocaleString("en-US")} requests answered (warm-up included): us/req = busy time / requests`)
const grouped = new Map<string, number>()
for (const [mod, micros] of selfModule) {
  const group = GROUPS.find(([, re]) => re.test(mod))![0]
  grouped.set(group, (grouped.get(group) ?? 0) + micros)
}
console.log("\nSelf time by part of the request path")
for (const [group, micros] of top(grouped, 20)) console.log(`  ${fmt(micros)}  ${group}`)
console.log("\nSelf time by module (top 30)")
for (const [mod, micros] of top(selfModule, 30)) console.log(`  ${fmt(micros)}  ${mod}`)
console.log("\nSelf time by function (top 30)")
for (const [key, micros] of top(self, 30)) console.log(`  ${fmt(micros)}  ${key}`)
console.log("\nNative functions by caller (top 8)")
for (const [key, micros] of top(nativeCallers, 8)) console.log(`  ${fmt(micros)}  ${key}`)
console.log("\nInclusive time per Provisio file (time with the file on the stack; top 25)")
for (const [mod, micros] of top(inclusiveFile, 25)) console.log(`  ${fmt(micros)}  ${mod}`)
