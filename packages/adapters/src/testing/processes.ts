import { type ChildProcess, spawn, type SpawnOptions } from "node:child_process"

/**
 * A TypeScript file run in a Node process of its own, as the tests' child processes are (a
 * billing run to kill, a delivery worker, an example): through `tsx`, with the packages' `source`
 * export condition, so the child runs the same sources as the test, never a stale build.
 */
export const spawnTypeScript = (file: string, args: ReadonlyArray<string> = [], options: SpawnOptions = {}): ChildProcess =>
  spawn(process.execPath, ["--conditions=source", "--import", "tsx", file, ...args], options)
