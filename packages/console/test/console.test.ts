import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Browser, Page } from "playwright-core"
import { accessibilityProblems, launch, type Running, screenshot, startServer } from "./harness.js"

/**
 * The console in a real browser against the built server on a fresh embedded database.
 * Only in the PGlite run: the issue asks for a fresh embedded database (what `npm start` makes
 * on a first start), and CI's budget has no room for a second browser run on PostgreSQL, which
 * would exercise the same pages over the same API.
 */
describe.skipIf(process.env["DATABASE_URL"] !== undefined)("the console in a browser", () => {
  let server: Running
  let browser: Browser

  beforeAll(async () => {
    ;[server, browser] = await Promise.all([startServer(), launch()])
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  const open = async (path = "") => {
    const context = await browser.newContext({ timezoneId: "Europe/Berlin", locale: "en-GB" })
    const page = await context.newPage()
    await page.goto(`${server.url}/console/${path}`)
    return page
  }

  const signInWithKey = async (page: Page, key: string) => {
    await page.getByRole("button", { name: "API key" }).click()
    await page.getByLabel("API key").fill(key)
    await page.getByRole("button", { name: "Sign in" }).click()
  }

  it("serves the app at /console with deep links, and the operator signs in with the printed key", async () => {
    const deep = await fetch(`${server.url}/console/accounts/acc_x`)
    expect(deep.status).toBe(200)
    expect(await deep.text()).toContain('<base href="/console/" />')
    expect((await fetch(`${server.url}/console/assets/missing.js`)).status).toBe(404)

    const started = Date.now()
    const page = await open()
    await expect(page.getByRole("heading", { name: "Sign in to Provisio" }).waitFor()).resolves.toBeUndefined()
    const firstPage = Date.now() - started
    expect(firstPage).toBeLessThan(3_000)
    expect(await accessibilityProblems(page)).toEqual([])

    await signInWithKey(page, server.adminKey)
    await page.getByRole("heading", { name: "Operator overview" }).waitFor()
    expect(await accessibilityProblems(page)).toEqual([])
    await screenshot(page, "operator-home")
    await page.context().close()
  })
})
