import { describe, expect, it } from "vitest"
import { execFile, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { fileURLToPath } from "node:url"

/**
 * The README's walk-through (examples/walk-through.sh) as a new user runs it: the built CLI
 * imports the example catalog, `provisio serve` starts on a fresh embedded data folder, and the
 * script goes from the channel to a paid invoice, whatever the day of the month.
 */
const ROOT = fileURLToPath(new URL("../../../", import.meta.url))
const BIN = path.join(ROOT, "packages/cli/dist/bin.js")
const KEY = "pvo_walk_through_key_0123456789abcdefghijkl"

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

describe("the README walk-through", () => {
  it("reaches a paid invoice on a fresh server, on any day", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provisio-walk-"))
    const port = await freePort()
    const env: NodeJS.ProcessEnv = { ...process.env, PROVISIO_DATA_DIR: path.join(dir, "data"), PROVISIO_BOOTSTRAP_KEY: KEY, PORT: String(port) }
    delete env["DATABASE_URL"]
    const run = promisify(execFile)
    await run(process.execPath, [BIN, "catalog", "import", "examples/catalog.json"], { cwd: ROOT, env })
    const server = spawn(process.execPath, [BIN, "serve"], { cwd: ROOT, env, stdio: "ignore" })
    try {
      for (let i = 0; ; i++) {
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)
        if (ready) break
        if (i > 600) throw new Error("the server did not start")
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const { stdout } = await run("bash", ["examples/walk-through.sh"], {
        cwd: ROOT,
        env: { ...env, KEY, API: `http://127.0.0.1:${port}/api/v1` }
      })
      expect(stdout).toMatch(/^subscription sub_\w+$/m)
      // 2.50 of storage and 19 % VAT.
      expect(stdout).toMatch(/^invoice inv_\w+ due 2\.98 EUR$/m)
      expect(stdout).toMatch(/^pdf 200 application\/pdf$/m)
      expect(stdout).toMatch(/^ubl 200 application\/xml/m)
      expect(stdout).toMatch(/^invoice inv_\w+ paid$/m)
      // Nothing is left to pay.
      expect(stdout.trim().split("\n").at(-1)).toBe("0.00")
    } finally {
      server.kill("SIGTERM")
      await new Promise((resolve) => server.once("exit", resolve))
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
