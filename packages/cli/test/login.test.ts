import { describe, expect, it } from "@effect/vitest"
import { spawnTypeScript } from "@provisio/adapters/testing/processes"
import * as Effect from "effect/Effect"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const ROOT = fileURLToPath(new URL("../../../", import.meta.url))

describe("provisio login", () => {
  it.live("without --password and without a terminal, it says so and exits 1 instead of waiting forever", () =>
    Effect.promise(() =>
      new Promise<void>((resolve, reject) => {
        // Input closed at once, as under a script or CI; nothing listens at the URL: it must not get that far.
        const child = spawnTypeScript(
          path.join(ROOT, "packages/cli/src/bin.ts"),
          ["login", "--url", "http://127.0.0.1:9", "--email", "ops@example.com"],
          { cwd: ROOT, env: { ...process.env, PROVISIO_CONFIG_DIR: path.join(os.tmpdir(), `provisio-login-${process.pid}`) }, stdio: ["ignore", "pipe", "pipe"] }
        )
        let output = ""
        child.stdout!.on("data", (chunk) => (output += chunk))
        child.stderr!.on("data", (chunk) => (output += chunk))
        const timer = setTimeout(() => {
          child.kill("SIGKILL")
          reject(new Error(`still waiting after 20 s:\n${output}`))
        }, 20_000)
        child.on("close", (code) => {
          clearTimeout(timer)
          try {
            expect(code, output).toBe(1)
            expect(output).toContain("no terminal to ask for the password on: pass --password")
            resolve()
          } catch (error) {
            reject(error)
          }
        })
      })
    ), 30_000)
})
