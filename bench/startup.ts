/**
 * How fast what users run starts: the built CLI's `--help`, and `npm start` to an answer from
 * `/readyz`, on a fresh embedded data folder and on a used one. Each figure is the median of a few
 * runs, printed beside a raw baseline run in the same invocation: Node starting and exiting, and
 * a plain `node:http` server answering its first request.
 *
 *   npm run build && npx tsx bench/startup.ts        5 runs each
 *   npx tsx bench/startup.ts 9                       another count
 *
 * Targets (issue "Structure for what comes next"): `--help` <= 1 s, ready <= 3 s.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"

const RUNS = Math.max(1, Number(process.argv[2] ?? 5))
const ROOT = path.resolve(import.meta.dirname, "..")
const BIN = path.join(ROOT, "packages/cli/dist/bin.js")

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

/** How long a command takes from spawn to exit. */
const timeToExit = (command: string, args: ReadonlyArray<string>) =>
  new Promise<number>((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { cwd: ROOT, stdio: "ignore" })
    child.on("error", reject)
    child.on("exit", (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${command} exited ${code}`))))
  })

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.once("exit", () => resolve())
    // npm start runs the server in a child of its own: the whole group goes.
    process.kill(-child.pid!, "SIGTERM")
  })

/** How long a server command takes from spawn to a 200 from `/readyz`. */
const timeToReady = async (command: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv) => {
  const port = await freePort()
  const started = performance.now()
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port) }, stdio: "ignore", detached: true })
  try {
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)
      if (ready) return performance.now() - started
      if (child.exitCode !== null) throw new Error(`${command} ${args.join(" ")} exited ${child.exitCode}`)
      if (performance.now() - started > 120_000) throw new Error("not ready within 2 minutes")
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  } finally {
    await stop(child)
  }
}

const BASELINE_SERVER = `
require("node:http").createServer((req, res) => res.end(JSON.stringify({ success: true, data: { status: "ok" } })))
  .listen(Number(process.env.PORT), "127.0.0.1")`

const measure = async (label: string, run: () => Promise<number>) => {
  const times: Array<number> = []
  for (let i = 0; i < RUNS; i++) times.push(await run())
  return { label, ms: median(times) }
}

if (!fs.existsSync(BIN)) {
  console.error("bench/startup: no build at packages/cli/dist; run `npm run build` first")
  process.exit(1)
}
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "provisio-startup-"))
const used = path.join(scratch, "used")
try {
  console.log(`bench/startup: medians of ${RUNS} runs each\n`)
  const nodeExit = await measure("node -e ''", () => timeToExit(process.execPath, ["-e", ""]))
  const help = await measure("provisio --help", () => timeToExit(process.execPath, [BIN, "--help"]))
  const baseline = await measure("plain node:http server", () => timeToReady(process.execPath, ["-e", BASELINE_SERVER], {}))
  let fresh = 0
  const freshReady = await measure("npm start, fresh data folder", () =>
    timeToReady("npm", ["start"], { PROVISIO_DATA_DIR: path.join(scratch, `fresh-${fresh++}`) }))
  await timeToReady("npm", ["start"], { PROVISIO_DATA_DIR: used })
  const usedReady = await measure("npm start, used data folder", () => timeToReady("npm", ["start"], { PROVISIO_DATA_DIR: used }))

  const row = (m: { label: string; ms: number }, base: { ms: number }, target: number) =>
    `  ${m.label.padEnd(32)} ${seconds(m.ms).padStart(8)}   ${(m.ms / base.ms).toFixed(1).padStart(5)}x the baseline   ` +
    `${m.ms <= target ? "within" : "OVER"} the ${seconds(target)} target`
  console.log(`  ${nodeExit.label.padEnd(32)} ${seconds(nodeExit.ms).padStart(8)}   (baseline)`)
  console.log(row(help, nodeExit, 1000))
  console.log(`  ${baseline.label.padEnd(32)} ${seconds(baseline.ms).padStart(8)}   (baseline)`)
  console.log(row(freshReady, baseline, 3000))
  console.log(row(usedReady, baseline, 3000))
} finally {
  fs.rmSync(scratch, { recursive: true, force: true })
}
