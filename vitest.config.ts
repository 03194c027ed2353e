import { availableParallelism } from "node:os"
import { configDefaults, defineConfig } from "vitest/config"

/** Test files that never use the `DATABASE_URL` server: pure code, documents, the contract, and
 * the examples and walk-through, which a new user runs on the embedded database. */
const NO_SERVER_DATABASE = [
  "packages/core/test/**",
  "packages/adapters/test/{access-tokens,oidc-verifier,passwords,push-signature,smtp-config,stripe-gateway}.test.ts",
  "packages/http/test/{conformance,documents-render,openapi,request-log}.test.ts",
  "packages/client/test/schema.test.ts",
  "packages/cli/test/{examples,login,walk-through,module-graph}.test.ts"
]

export default defineConfig({
  // The packages' `source` export condition: tests run the TypeScript sources, never a stale build.
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"], externalConditions: ["source"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts"],
    // CI runs the suite twice, on PGlite and on the PostgreSQL server (DATABASE_URL): the files
    // that touch no database, or only ever the embedded one, say nothing new the second time.
    exclude: process.env["DATABASE_URL"] ? [...configDefaults.exclude, ...NO_SERVER_DATABASE] : configDefaults.exclude,
    globalSetup: ["./vitest.setup.global.ts"],
    setupFiles: ["./vitest.setup.ts"],
    // PGlite is WASM: starting one takes seconds, more so when both cores are busy.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Child processes: each PGlite (WASM, ~100 MB) lives in its own heap, freed when the worker exits.
    pool: "forks",
    // A worker loads the packages once for all its files instead of once a file: loading them was
    // half of each file's time. The files share no state: every `it.layer` builds its own server
    // and database, and vitest.setup.ts undoes what @effect/vitest leaves on the shared `it`.
    isolate: false,
    // Vitest's default is one fork fewer than the cores, so a 2-core CI machine ran one file at a
    // time; the files wait on WASM and sockets as much as on the CPU, and two at once took the
    // PGlite run from about 8 to 6 minutes.
    maxWorkers: Math.max(2, availableParallelism() - 1)
  }
})
