import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { spawnTypeScript } from "@provisio/adapters/testing/processes"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

/**
 * The examples run as a user runs them (`npx tsx examples/...`), each to its end: what they print
 * is what examples/README.md promises.
 */

const ROOT = fileURLToPath(new URL("../../../", import.meta.url))

/** The example's output once it exits, and its exit code. */
const run = (file: string, args: ReadonlyArray<string> = []) =>
  Effect.promise(() =>
    new Promise<{ readonly code: number | null; readonly output: string }>((resolve) => {
      const env: NodeJS.ProcessEnv = { ...process.env }
      // The examples keep their data in memory whatever the test run points at.
      delete env["DATABASE_URL"]
      const child = spawnTypeScript(file, args, { cwd: ROOT, env })
      let output = ""
      child.stdout!.on("data", (chunk) => (output += chunk))
      child.stderr!.on("data", (chunk) => (output += chunk))
      child.on("close", (code) => resolve({ code, output }))
    })
  )

/** A plain Node ESM file run by Node alone: the built packages, as a host that has no tsx imports them. */
const runPlain = (file: string) =>
  Effect.promise(() =>
    new Promise<{ readonly code: number | null; readonly output: string }>((resolve) => {
      const env: NodeJS.ProcessEnv = { ...process.env }
      delete env["DATABASE_URL"]
      const child = spawn(process.execPath, [file], { cwd: ROOT, env })
      let output = ""
      child.stdout.on("data", (chunk) => (output += chunk))
      child.stderr.on("data", (chunk) => (output += chunk))
      child.on("close", (code) => resolve({ code, output }))
    })
  )

describe("examples", () => {
  it.live("swap-an-adapter.mjs, plain Node on the built packages: the CREATE goes through the host's PushSender", () =>
    Effect.gen(function* () {
      const { code, output } = yield* runPlain("examples/swap-an-adapter.mjs")
      expect(code, output).toBe(0)
      const subscription = /completed: subscription (sub_\w+)/.exec(output)?.[1]
      expect(subscription, output).toBeDefined()
      expect(output).toContain("bus <- POST https://provisioning.dc1.internal/subscriptions")
      expect(output).toContain("delivered 1 of 1 through the host's PushSender")
    }), 60_000)

  it.live("embed-in-node --once: a subscription ordered through the embedded API reaches the provider", () =>
    Effect.gen(function* () {
      const { code, output } = yield* run("examples/embed-in-node.ts", ["--once"])
      expect(code, output).toBe(0)
      const subscription = /completed: subscription (sub_\w+)/.exec(output)?.[1]
      expect(subscription, output).toBeDefined()
      expect(output).toContain(`provider received POST /subscriptions: CREATE of ${subscription}, signed v1,`)
    }), 60_000)

  it.live("use-the-core: the core without HTTP, typed errors and a viewer's scope", () =>
    Effect.gen(function* () {
      const { code, output } = yield* run("examples/use-the-core.ts")
      expect(code, output).toBe(0)
      expect(output).toContain("refused: external_id")
      expect(output).toMatch(/the partner's viewer key sees 1 customer/)
      expect(output).toContain("and may not write: Forbidden")
    }), 60_000)
})
