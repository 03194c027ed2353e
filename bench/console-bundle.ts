/**
 * The console's weight and speed (issue "A console in the browser"):
 *
 *   npm run build && npx tsx bench/console-bundle.ts            the initial bundle, gzipped
 *   npx tsx bench/console-bundle.ts --browser [customers]       also, in chromium against `provisio serve`
 *                                                               on a fresh embedded database with that many
 *                                                               customers (10,000 by default): the sign-in
 *                                                               page usable, the customers list's first page
 *                                                               and the next one
 *
 * Targets: initial bundle <= 300 KB gzipped; first page usable < 1 s on loopback; a list of 10,000
 * customers stays responsive (it is read 50 at a time with the API's cursors).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { gzipSync } from "node:zlib"
import { launch, startServer } from "../packages/console/test/harness.js"

const ROOT = path.resolve(import.meta.dirname, "..")
const DIST = path.join(ROOT, "packages/console/dist")
const LIMIT_KB = 300

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

/** What index.html loads before the first page shows: its scripts, modulepreloads and styles. */
const initialFiles = () => {
  const html = fs.readFileSync(path.join(DIST, "index.html"), "utf8")
  const refs = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+)"/g)].map((m) => m[1]!)
  return ["index.html", ...new Set(refs)]
}

const bundle = () => {
  let raw = 0
  let gzipped = 0
  for (const file of initialFiles()) {
    const body = fs.readFileSync(path.join(DIST, file))
    const size = gzipSync(body, { level: 9 }).length
    raw += body.length
    gzipped += size
    console.log(`  ${file.padEnd(36)} ${kb(body.length).padStart(10)} ${kb(size).padStart(10)} gzipped`)
  }
  console.log(`initial bundle: ${kb(raw)}, ${kb(gzipped)} gzipped (target <= ${LIMIT_KB} KB): ${gzipped <= LIMIT_KB * 1024 ? "ok" : "OVER"}`)
  return gzipped <= LIMIT_KB * 1024
}

const browser = async (customers: number) => {
  // Seeding thousands of customers as the admin would spend its rate limit many times over.
  const server = await startServer({ PROVISIO_RATE_LIMIT_ADMIN: "off" })
  const chromium = await launch()
  try {
    const headers = { Authorization: `Bearer ${server.adminKey}`, "Content-Type": "application/json" }
    const post = async (pathname: string, body: unknown) => {
      const response = await fetch(`${server.url}/api/v1${pathname}`, { method: "POST", headers, body: JSON.stringify(body) })
      const answer = (await response.json()) as { data: { id: string } }
      if (!response.ok) throw new Error(`POST ${pathname}: ${response.status} ${JSON.stringify(answer)}`)
      return answer.data
    }
    const distributor = await post("/distributors", { name: "Bench Distribution" })
    const partner = await post("/partners", { name: "Bench Partner", distributor_id: distributor.id })
    const seeding = Date.now()
    let next = 0
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < customers) {
        const n = next++
        await post("/customers", { partner_id: partner.id, name: `Customer ${String(n).padStart(5, "0")}` })
      }
    }))
    console.log(`seeded ${customers} customers in ${((Date.now() - seeding) / 1000).toFixed(1)} s`)
    const partnerKey = ((await post("/api-keys", { account_id: partner.id, name: "bench", role: "admin" })) as unknown as { secret: string }).secret

    const context = await chromium.newContext()
    const page = await context.newPage()
    // A warm-up load, as a returning user's browser has the process running.
    await page.goto(`${server.url}/console/`)
    const times: Array<number> = []
    for (let i = 0; i < 5; i++) {
      const started = Date.now()
      await page.goto(`${server.url}/console/`)
      await page.getByRole("button", { name: "API key" }).waitFor()
      times.push(Date.now() - started)
    }
    times.sort((a, b) => a - b)
    console.log(`sign-in page usable: median ${times[2]} ms (target < 1000 ms)`)

    await page.getByRole("button", { name: "API key" }).click()
    await page.locator("#sign-in-key-key").fill(partnerKey)
    await page.locator("#sign-in-key button[type=submit]").click()
    await page.getByRole("heading", { name: "Partner overview" }).waitFor()
    let started = Date.now()
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Customers", exact: true }).click()
    await page.getByRole("table", { name: "Customers" }).getByRole("row").nth(Math.min(50, customers)).waitFor()
    console.log(`customers page (first 50 of ${customers}): ${Date.now() - started} ms`)
    if (customers <= 50) return
    started = Date.now()
    await page.getByRole("button", { name: "Next page" }).click()
    await page.getByText("Page 2").waitFor()
    await page.getByRole("table", { name: "Customers" }).and(page.locator("[aria-busy=false]")).waitFor()
    console.log(`next page: ${Date.now() - started} ms`)
    started = Date.now()
    await page.getByLabel("Filter customers").fill("customer 0")
    console.log(`filter the page shown: ${Date.now() - started} ms`)
  } finally {
    await chromium.close()
    await server.stop()
  }
}

const ok = bundle()
if (process.argv.includes("--browser")) {
  const count = Number(process.argv[process.argv.indexOf("--browser") + 1] ?? "") || 10_000
  await browser(count)
}
process.exitCode = ok ? 0 : 1
