import AxeBuilder from "@axe-core/playwright"
import { spawn, type ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { chromium, type Browser, type Page } from "playwright-core"

/**
 * What the browser test needs: the built server (`node packages/cli/dist/bin.js serve`, what
 * `npm start` runs) on a fresh embedded database, its first admin key read from what it prints,
 * and Debian's chromium driven by playwright-core.
 */
export const ROOT = fileURLToPath(new URL("../../../", import.meta.url))
const BIN = path.join(ROOT, "packages/cli/dist/bin.js")
export const SCREENSHOTS = path.join(ROOT, ".scratch/console-screenshots")
export const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium"

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

export interface Running {
  readonly url: string
  readonly adminKey: string
  readonly stop: () => Promise<void>
}

export const startServer = async (extraEnv: Readonly<Record<string, string>> = {}): Promise<Running> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provisio-console-"))
  const port = await freePort()
  const env: NodeJS.ProcessEnv = { ...process.env, PROVISIO_DATA_DIR: path.join(dir, "data"), PORT: String(port), ...extraEnv }
  delete env["DATABASE_URL"]
  delete env["PROVISIO_BOOTSTRAP_KEY"]
  const server: ChildProcess = spawn(process.execPath, [BIN, "serve"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "inherit"] })
  let output = ""
  server.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
  const stop = async () => {
    if (server.exitCode === null) {
      server.kill("SIGTERM")
      await new Promise((resolve) => server.once("exit", resolve))
    }
    fs.rmSync(dir, { recursive: true, force: true })
  }
  try {
    const url = `http://127.0.0.1:${port}`
    for (let i = 0; ; i++) {
      const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false)
      const key = /pvo_[A-Za-z0-9_-]*/.exec(output)?.[0]
      if (ready && key) return { url, adminKey: key, stop }
      if (server.exitCode !== null || i > 600) throw new Error(`the server did not start:\n${output}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  } catch (error) {
    await stop()
    throw error
  }
}

export const launch = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-dev-shm-usage"] })

/** axe's serious and critical findings on the page as it is now (WCAG 2.1 A and AA rules). */
export const accessibilityProblems = async (page: Page) => {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze()
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`)
}

export const screenshot = async (page: Page, name: string) => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true })
}
