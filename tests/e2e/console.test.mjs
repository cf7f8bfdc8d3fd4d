// Browser tests of the console (issue 5) against `steward serve` on a demo city, in Debian's
// Chromium. The steps share one city and run in order: the first one changes the admin's first
// password through the login page, and later ones use it.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { City, PASSWORD, launch, screenshot, signIn } from './harness.mjs'

let city
let browser
let page

before(async () => {
  city = new City(2000)
  await city.serve()
  browser = await launch()
  page = await browser.context.newPage()
})

after(async () => {
  await browser?.close()
  await city?.close()
})

async function figure(key) {
  const text = await page.textContent(`[data-figure=${key}] [data-test=figure-value]`)
  return Number(String(text).replace(/[^0-9]/g, ''))
}

describe('console', () => {
  test('signs in and changes the first password', async () => {
    await page.goto(city.url + '/')
    await page.waitForSelector('[data-test=login]')
    assert.match(await page.textContent('.login-box'), /城市管家/)
    // A wrong password shows the API's message and stays on the login page.
    await page.fill('[data-test=login]', 'admin')
    await page.fill('[data-test=password]', 'not-the-password')
    await page.click('[data-test=submit]')
    const problem = await page.waitForSelector('[data-test=login-error]')
    assert.match(await problem.textContent(), /密码|登录/)
    await screenshot(page, '01-login-error')
    await signIn(page, city.url, 'admin', city.initialPassword(), PASSWORD)
    assert.match(page.url(), /#\/dashboard/)
    // The new password works, the initial one no longer does.
    const again = await browser.context.newPage()
    const r = await again.request.post(city.url + '/api/v1/auth/login', { data: { login: 'admin', password: city.initialPassword() } })
    assert.equal(r.status(), 401)
    await again.close()
  })

  test('the dashboard shows the figures of steward stats --json', async () => {
    await page.goto(city.url + '/#/dashboard')
    await page.waitForSelector('[data-test=dashboard][data-ready=true]', { timeout: 20_000 })
    const stats = city.runJson('stats')
    assert.equal(await figure('residents'), stats.residents)
    assert.equal(await figure('streets'), stats.streets)
    assert.equal(await figure('communities'), stats.communities)
    assert.equal(await figure('grids'), stats.grids)
    assert.equal(await figure('micro_grids'), stats.micro_grids)
    assert.equal(await figure('assistance_households'), stats.assistance.households)
    assert.equal(await figure('assistance_members'), stats.assistance.members)
    for (const status of ['both', 'resident_only', 'registered_only']) {
      assert.equal(await figure(`status_${status}`), stats.residents_by_status[status], status)
    }
    assert.equal(await page.locator('[data-test=chart-by-child] canvas').count(), 1)
    assert.ok((await page.locator('[data-test=map] path.unit').count()) >= stats.streets)
    await screenshot(page, '02-dashboard')
  })
})
