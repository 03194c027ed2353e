/**
 * The web console mounted beside the embedded API in a host's own Node server: the API under
 * `/provisio` (`HttpApiBuilder.toWebHandler`, as in examples/embed-in-node.ts) and the console's
 * static files at `/provisio/console` (`consoleHandler`), next to the host's own routes.
 *
 *   npx tsx examples/console-beside-api/server.ts          http://localhost:3000/provisio/console until Ctrl-C
 *   npx tsx examples/console-beside-api/server.ts --once   starts on a free port, loads the console's page,
 *                                                          its script and /me as the console does, exits
 *
 * The console finds the API from where it is served: `<mount>/console/` calls `<mount>/api/v1`,
 * so the two only need the same prefix. `npm run build` (which `npm ci` runs) builds the console.
 */
import { HttpApiBuilder, HttpServer } from "@effect/platform"
import { embeddedClient } from "@provisio/adapters/postgres/database"
import { migrate } from "@provisio/adapters/postgres/migrations/index"
import { ServicesLive } from "@provisio/adapters/services"
import { Identity } from "@provisio/core/identity/service"
import { Workers } from "@provisio/core/workers/service"
import { consoleHandler } from "@provisio/http/console/static"
import { inputBoundary } from "@provisio/http/middleware/input-boundary"
import { requestLog } from "@provisio/http/middleware/request-log"
import { ApiLive } from "@provisio/http/server"
import { Effect, Layer, Option } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { Readable } from "node:stream"

const PREFIX = "/provisio"
const once = process.argv.includes("--once")
const port = once ? 0 : Number(process.env["PORT"] ?? 3000)
const ADMIN_KEY = process.env["PROVISIO_BOOTSTRAP_KEY"] ?? "pvo_example_console_admin_key_0123456789"

/** The database (in memory here), migrated, the core's services, the platform bootstrapped with a known key. */
const AppLive = Layer.effectDiscard(Effect.flatMap(Identity, (identity) => identity.bootstrap(Option.some(ADMIN_KEY)))).pipe(
  Layer.provideMerge(ServicesLive),
  Layer.provideMerge(Layer.effectDiscard(migrate).pipe(Layer.provideMerge(embeddedClient("memory"))))
)

const api = HttpApiBuilder.toWebHandler(
  Layer.mergeAll(ApiLive, Workers.layer()).pipe(Layer.provideMerge(HttpServer.layerContext), Layer.provide(AppLive)),
  { middleware: (app) => requestLog(inputBoundary(app)) }
)

/** The console's files and index.html for its routes; undefined for any other path. */
const console_ = consoleHandler({ mount: PREFIX })

const toWebRequest = (req: http.IncomingMessage, path: string): Request => {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    else if (value !== undefined) headers.set(name, value)
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD"
  return new Request(new URL(path, `http://${req.headers.host ?? "localhost"}`), {
    method: req.method ?? "GET",
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {})
  } as RequestInit)
}

const send = async (response: Response, res: http.ServerResponse) => {
  res.writeHead(response.status, Object.fromEntries(response.headers))
  res.end(Buffer.from(await response.arrayBuffer()))
}

const server = http.createServer(async (req, res) => {
  const url = req.url ?? "/"
  try {
    // The console first: it answers only under /provisio/console.
    const page = await console_(toWebRequest(req, url))
    if (page) return await send(page, res)
    if (url === PREFIX || url.startsWith(`${PREFIX}/`)) {
      // The API sees the path without the prefix: /provisio/api/v1/me -> /api/v1/me.
      return await send(await api.handler(toWebRequest(req, url.slice(PREFIX.length) || "/")), res)
    }
    // The host's own routes.
    res.writeHead(url === "/" ? 200 : 404, { "content-type": "text/plain" }).end(url === "/" ? `Host app. The console is at ${PREFIX}/console\n` : "not found\n")
  } catch (error) {
    console.error(error)
    res.writeHead(500).end()
  }
})

const shutdown = async () => {
  server.close()
  await api.dispose()
}

// Build the layers (open, migrate, bootstrap) before taking traffic.
const ready = await api.handler(new Request("http://localhost/readyz"))
if (!ready.ok) throw new Error(`Provisio is not ready: ${ready.status}`)

server.listen(port, async () => {
  const base = `http://localhost:${(server.address() as AddressInfo).port}${PREFIX}`
  console.log(`Open ${base}/console and sign in with the API key ${ADMIN_KEY}`)
  if (!once) {
    process.once("SIGINT", shutdown)
    process.once("SIGTERM", shutdown)
    return
  }
  try {
    // What a browser does first: the page (with its <base> naming the mount), its script, then /me.
    const page = await fetch(`${base}/console/customers`)
    const html = await page.text()
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1]
    const asset = await fetch(`${base}/console/${script}`)
    const me = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })
    const body = await me.json() as { data: { account_kind: string } }
    console.log(`console page ${page.status} with <base href="${/<base href="([^"]+)"/.exec(html)?.[1]}">`)
    console.log(`console script ${asset.status} ${asset.headers.get("content-type")}`)
    console.log(`api /me ${me.status} ${body.data.account_kind}`)
    process.exitCode = page.ok && asset.ok && me.ok ? 0 : 1
  } catch (error) {
    console.error(error)
    process.exitCode = 1
  } finally {
    await shutdown()
  }
})
