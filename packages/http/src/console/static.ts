import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import { readdir, readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import * as path from "node:path"

/**
 * The web console (packages/console, built by `npm run build` into its dist/) served at
 * `<mount>/console`: its files as they are, and index.html for every other path under it, so a
 * deep link (`/console/customers/cus_1`) opens the page it names. The files are read once, on the
 * first request, and looked up by name in that map: a path never reaches the file system.
 */

interface ConsoleFile {
  readonly body: Uint8Array
  readonly type: string
  /** Vite names built assets by their content hash: they never change under the same name. */
  readonly immutable: boolean
}

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2"
}

/** Where the console's build lives: `@provisio/console`'s dist/, unless a host names another folder. */
export const consoleDistDir = (): string =>
  path.join(path.dirname(createRequire(import.meta.url).resolve("@provisio/console/package.json")), "dist")

const readTree = async (root: string, dir = root, into = new Map<string, ConsoleFile>()) => {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) await readTree(root, full, into)
    else {
      const name = path.relative(root, full).split(path.sep).join("/")
      into.set(name, {
        body: await readFile(full),
        type: TYPES[path.extname(name)] ?? "application/octet-stream",
        immutable: name.startsWith("assets/")
      })
    }
  }
  return into
}

/** The console's files by name, or none when it was not built. */
export const loadConsole = (dir = consoleDistDir()): Promise<ReadonlyMap<string, ConsoleFile> | undefined> =>
  readTree(dir).then((files) => files.has("index.html") ? files : undefined, () => undefined)

const SECURITY_HEADERS = {
  // Scripts and styles only from the console itself; it calls no other origin (no CDN at run time).
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https: http:; connect-src 'self'; frame-ancestors 'self'; base-uri 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin"
}

/** A path's text, or undefined when its percent-escapes are malformed (then it names no file). */
const decodePath = (encoded: string): string | undefined => {
  try {
    return decodeURIComponent(encoded)
  } catch {
    return undefined
  }
}

const NOT_FOUND: ConsoleAnswer = { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "Not found" }

export interface ConsoleAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array | string
}

/**
 * The answer for `rest`, the path after `<mount>/console/`: a file, or index.html with a
 * `<base href>` naming the mount so the app's relative asset URLs and its API calls resolve
 * under whatever prefix a host mounted it.
 */
export const answerConsole = (files: ReadonlyMap<string, ConsoleFile> | undefined, mount: string, rest: string): ConsoleAnswer => {
  if (files === undefined) {
    return {
      status: 404,
      headers: { "content-type": "text/plain; charset=utf-8" },
      body: "The console is not built: run `npm run build` (npm ci does it)."
    }
  }
  const file = files.get(rest)
  if (file !== undefined && rest !== "index.html") {
    return {
      status: 200,
      headers: { ...SECURITY_HEADERS, "content-type": file.type, "cache-control": file.immutable ? "public, max-age=31536000, immutable" : "no-cache" },
      body: file.body
    }
  }
  // A missing asset is a 404, not the page: a stale tab asking for an old bundle should fail loudly.
  if (rest.startsWith("assets/")) return NOT_FOUND
  const base = `${mount.replace(/\/+$/, "")}/console/`.replace(/[^A-Za-z0-9/_.~-]/g, encodeURIComponent)
  const html = Buffer.from(files.get("index.html")!.body).toString("utf8").replace("<head>", `<head>\n    <base href="${base}" />`)
  return { status: 200, headers: { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" }, body: html }
}

/**
 * For a host's own server: `(Request) => Promise<Response | undefined>`, undefined for a path
 * outside `<mount>/console`, so the host hands it to its next route (the API's web handler).
 */
export const consoleHandler = (options: { readonly mount?: string; readonly dir?: string } = {}) => {
  const mount = (options.mount ?? "").replace(/\/+$/, "")
  let files: Promise<ReadonlyMap<string, ConsoleFile> | undefined> | undefined
  return async (request: Request): Promise<Response | undefined> => {
    const { pathname } = new URL(request.url)
    const prefix = `${mount}/console`
    if (pathname !== prefix && !pathname.startsWith(`${prefix}/`)) return undefined
    if (request.method !== "GET" && request.method !== "HEAD") return new Response("Method Not Allowed", { status: 405 })
    files ??= loadConsole(options.dir)
    const rest = decodePath(pathname.slice(prefix.length + 1))
    const answer = rest === undefined ? NOT_FOUND : answerConsole(await files, mount, rest)
    return new Response(request.method === "HEAD" ? null : answer.body, { status: answer.status, headers: answer.headers })
  }
}

/** `/console` and `/console/*` on the bundled server (`provisio serve`), beside the API. */
export const ConsoleRouteLive = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function* () {
    const files = yield* Effect.cached(Effect.promise(() => loadConsole()))
    const handler = Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const pathname = new URL(request.url, "http://localhost").pathname
      const rest = pathname === "/console" ? "" : decodePath(pathname.slice("/console/".length))
      const answer = rest === undefined ? NOT_FOUND : answerConsole(yield* files, "", rest)
      return typeof answer.body === "string"
        ? HttpServerResponse.text(answer.body, { status: answer.status, headers: answer.headers, contentType: answer.headers["content-type"] })
        : HttpServerResponse.uint8Array(answer.body, { status: answer.status, headers: answer.headers, contentType: answer.headers["content-type"] })
    })
    yield* router.get("/console", handler)
    yield* router.get("/console/*", handler)
  })
)
