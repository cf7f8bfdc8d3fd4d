#!/usr/bin/env node
// make bench: the console in Chromium on loopback with a cold cache (a fresh profile for each
// measurement). Measures the JavaScript the login page and the dashboard route load — bytes on
// the wire (steward sends the .gz copies web/build.sh makes to browsers that take gzip) and their
// gzip size at level 9, the yardstick — and
// the time from navigation to the dashboard's data-ready marker (every figure rendered). The
// baseline beside each number is the goal: login ≤ 300 kB gzip, dashboard ≤ 1 MB gzip,
// data-ready ≤ 1.5 s.
//
//   node bench/web_bench.mjs [--steward PATH] [--residents N] [--runs N]
import { gzipSync } from 'node:zlib'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Api, City, PASSWORD, launch, repo } from '../tests/e2e/harness.mjs'

const args = process.argv.slice(2)
const option = (name, fallback) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : fallback
}
const steward = option('--steward', existsSync(join(repo, 'build/release/src/app/steward')) ? join(repo, 'build/release/src/app/steward') : join(repo, 'build/ci/src/app/steward'))
process.env.STEWARD_BINARY = steward
const residents = Number(option('--residents', '70000'))
const runs = Number(option('--runs', '5'))

/** Loads `hash` in a fresh profile; answers the JS loaded and, if asked, the data-ready time. */
async function measure(url, hash, cookie, waitReady) {
  const browser = await launch()
  try {
    if (cookie) await browser.context.addCookies([{ name: cookie.name, value: cookie.value, url }])
    const page = await browser.context.newPage()
    const scripts = new Map()
    page.on('response', async (response) => {
      if (response.request().resourceType() !== 'script') return
      try {
        const body = await response.body()  // decoded
        const sizes = await response.request().sizes()  // responseBodySize: as transferred
        scripts.set(response.url(), { wire: sizes.responseBodySize, gzip: gzipSync(body, { level: 9 }).length })
      } catch {
        // a redirect or an aborted load carries no body
      }
    })
    await page.addInitScript(() => {
      const observer = new MutationObserver(() => {
        if (document.querySelector('[data-ready=true]') && !window.__stewardReady) window.__stewardReady = performance.now()
      })
      observer.observe(document, { subtree: true, attributes: true, childList: true, attributeFilter: ['data-ready'] })
    })
    await page.goto(url + '/' + hash)
    let readyMs = null
    let timeline = []
    if (waitReady) {
      await page.waitForFunction(() => window.__stewardReady, undefined, { timeout: 30_000, polling: 50 })
      readyMs = await page.evaluate(() => window.__stewardReady)
      timeline = await page.evaluate(() => performance.getEntriesByType('resource')
        .filter((e) => e.name.includes('/api/') || e.initiatorType === 'script')
        .map((e) => `${e.name.replace(location.origin, '').replace(/^\/assets\//, '')} ${e.startTime.toFixed(0)}→${e.responseEnd.toFixed(0)} ms`))
    } else {
      await page.waitForSelector('[data-test=login]')
    }
    await page.waitForLoadState('networkidle')
    let wire = 0
    let gzip = 0
    for (const s of scripts.values()) {
      wire += s.wire
      gzip += s.gzip
    }
    return { wire, gzip, files: scripts.size, readyMs, timeline }
  } finally {
    await browser.close()
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const kb = (n) => (n / 1024).toFixed(1) + ' kB'

const started = Date.now()
const city = new City(residents)
console.error(`web_bench: demo city of ${residents} residents in ${((Date.now() - started) / 1000).toFixed(1)} s; ${steward}`)
try {
  const url = await city.serve()
  const api = new Api(url)
  await api.login('admin', city.initialPassword())
  await api.call('POST', '/api/v1/auth/password', { old_password: city.initialPassword(), new_password: PASSWORD })
  await api.login('admin', PASSWORD)
  const [name, value] = api.cookie.split('=')
  const cookie = { name, value }

  const login = await measure(url, '#/login', null, false)
  const times = []
  let dashboard = null
  for (let i = 0; i < runs; i++) {
    dashboard = await measure(url, '#/dashboard', cookie, true)
    times.push(dashboard.readyMs)
  }
  const ready = median(times)
  const rows = [
    ['login page JS (gzip)', kb(login.gzip), '300.0 kB', (login.gzip / (300 * 1024)).toFixed(2)],
    ['login page JS (on the wire)', kb(login.wire), '', ''],
    ['dashboard JS (gzip)', kb(dashboard.gzip), '1024.0 kB', (dashboard.gzip / (1024 * 1024)).toFixed(2)],
    ['dashboard JS (on the wire)', kb(dashboard.wire), '', ''],
    [`dashboard data-ready (median of ${runs}, cold)`, ready.toFixed(0) + ' ms', '1500 ms', (ready / 1500).toFixed(2)],
  ]
  console.log(`web_bench: ${residents} residents, Chromium headless, loopback, cold cache`)
  console.log(['measure'.padEnd(42), 'steward'.padStart(12), 'goal'.padStart(12), 'ratio'.padStart(7)].join(' '))
  for (const r of rows) console.log([r[0].padEnd(42), r[1].padStart(12), r[2].padStart(12), r[3].padStart(7)].join(' '))
  console.log(`data-ready runs (ms): ${times.map((t) => t.toFixed(0)).join(', ')}`)
  console.log('last dashboard run, requests from navigation start:')
  for (const line of dashboard.timeline) console.log('  ' + line)
} finally {
  await city.close()
}
