import { spawnTypeScript } from "@provisio/adapters/testing/processes"
import { describe, expect, it } from "vitest"
import { ROOT } from "./harness.js"

/**
 * examples/console-beside-api as a host runs it: the console's page, script and the API it calls
 * all answer under the host's prefix. The example keeps its data in memory whatever the run
 * points at, so the PostgreSQL run (which would repeat it unchanged) leaves it out.
 */
describe.skipIf(process.env["DATABASE_URL"] !== undefined)("the console beside the embedded API", () => {
  it("serves the console under the host's prefix and the API it calls", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env }
    delete env["DATABASE_URL"]
    const child = spawnTypeScript("examples/console-beside-api/server.ts", ["--once"], { cwd: ROOT, env })
    let output = ""
    child.stdout!.on("data", (chunk) => (output += chunk))
    child.stderr!.on("data", (chunk) => (output += chunk))
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve))
    expect(code, output).toBe(0)
    expect(output).toContain('console page 200 with <base href="/provisio/console/">')
    expect(output).toMatch(/console script 200 text\/javascript/)
    expect(output).toContain("api /me 200 platform")
  }, 60_000)
})
