// Browser tests of the console (issue 5) against `steward serve` on a demo city, in Debian's
// Chromium. The steps share one city and run in order: the first one changes the admin's first
// password through the login page, and later ones use it.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Api, City, ContractChecker, PASSWORD, launch, screenshot, signIn, sippResidents } from './harness.mjs'

let city
let browser
let page
let admin
let sipp
const contract = new ContractChecker()

before(async () => {
  city = new City(2000)
  // The server's SIP trunk is SIPp on loopback: campaigns on the phone line call it.
  sipp = await sippResidents(city.dir)
  city.env.STEWARD_SIP_TRUNK = `sip:{number}@127.0.0.1:${sipp.port}`
  await city.serve()
  browser = await launch()
  contract.watch(browser.context)
  page = await browser.context.newPage()
})

after(async () => {
  await browser?.close()
  await city?.close()
  sipp?.process.kill()
})

/**
 * Fills the campaign wizard up to its last step: the script by its title, `script` (a function
 * of the page, for the script step's fields and the channel), the query (waiting for the
 * wizard's count to be `expected`), all-day windows.
 */
async function fillWizard(scriptTitle, query, expected, script = async () => {}) {
  await page.goto(city.url + '/#/campaigns')
  await page.click('[data-test=campaign-new]')
  await page.click('[data-test=wizard-script]')
  await page.locator('.el-select-dropdown__item:visible', { hasText: scriptTitle }).click()
  await script(page)
  await page.click('[data-test=wizard-next]')
  await page.fill('[data-test=wizard-query]', query)
  await page.waitForSelector(`[data-test=wizard-count][data-count="${expected}"]`, { timeout: 15_000 })
  await page.click('[data-test=wizard-next]')
  await page.locator('[data-test=wizard-windows] .el-radio', { hasText: '全天' }).click()
  await page.click('[data-test=wizard-next]')
}

async function figure(key) {
  const text = await page.textContent(`[data-figure=${key}] [data-test=figure-value]`)
  return Number(String(text).replace(/[^0-9]/g, ''))
}

/** A mono 16-bit WAV of a sine tone, as a sound file staff would upload. */
function toneWav(seconds, hz, rate) {
  const count = Math.round(seconds * rate)
  const wav = Buffer.alloc(44 + count * 2)
  wav.write('RIFF', 0)
  wav.writeUInt32LE(36 + count * 2, 4)
  wav.write('WAVEfmt ', 8)
  wav.writeUInt32LE(16, 16)
  wav.writeUInt16LE(1, 20)
  wav.writeUInt16LE(1, 22)
  wav.writeUInt32LE(rate, 24)
  wav.writeUInt32LE(rate * 2, 28)
  wav.writeUInt16LE(2, 32)
  wav.writeUInt16LE(16, 34)
  wav.write('data', 36)
  wav.writeUInt32LE(count * 2, 40)
  for (let i = 0; i < count; i++) wav.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate)), 44 + i * 2)
  return wav
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
    // The age pyramid: men and women with a birth date, as the API counts them (residents without
    // a birth date, or of another gender, are not in it).
    const api = new Api(city.url, contract)
    await api.login('admin', PASSWORD)
    const summary = (await api.call('GET', '/api/v1/stats/summary')).data
    const pyramid = page.locator('[data-test=chart-age]')
    const sum = (gender) => (summary.age_pyramid.by_gender[gender] ?? []).reduce((a, b) => a + b, 0)
    assert.equal(Number(await pyramid.getAttribute('data-male')), sum('male'))
    assert.equal(Number(await pyramid.getAttribute('data-female')), sum('female'))
    assert.equal(summary.age_pyramid.bands.length, 10)
    assert.ok(sum('male') + sum('female') + summary.age_bands.unknown <= summary.residents)
    assert.ok(sum('male') > 0 && sum('female') > 0)
    await screenshot(page, '02-dashboard')
  })

  test('the one map draws every micro-grid and a click shows that unit\'s figures', async () => {
    admin = new Api(city.url, contract)
    await admin.login('admin', PASSWORD)
    const stats = city.runJson('stats')
    await page.goto(city.url + '/#/map')
    await page.waitForSelector('[data-test=one-map][data-loaded=true]', { timeout: 30_000 })
    assert.equal(await page.locator('path.unit-micro_grid').count(), stats.micro_grids)
    assert.equal(await page.locator('path.unit-grid').count(), stats.grids)
    assert.equal(await page.locator('path.unit-community').count(), stats.communities)
    assert.equal(await page.locator('path.unit-street').count(), stats.streets)
    await screenshot(page, '03-one-map')
    // The street layer switched off removes its shapes; back on brings them back.
    await page.click('[data-layer=street]')
    assert.equal(await page.locator('path.unit-street').count(), 0)
    await page.click('[data-layer=street]')
    assert.equal(await page.locator('path.unit-street').count(), stats.streets)

    // Search a micro-grid by name, fly there, click its shape.
    const grids = (await admin.call('GET', '/api/v1/org/boundaries?kind=micro_grid')).data.features
    const target = grids.find((f) => f.properties.name.startsWith('城东社区第1网格')) ?? grids[0]
    const expected = (await admin.call('GET', `/api/v1/residents?unit=${target.properties.id}&page_size=1`)).data.total
    await page.fill('[data-test=map-search]', target.properties.name)
    const hit = page.locator('.el-autocomplete-suggestion li', { hasText: target.properties.name }).first()
    await hit.click()
    await page.waitForTimeout(900) // the fly animation
    await page.locator(`path.unit-id-${target.properties.id}`).dispatchEvent('click')
    await page.waitForSelector('[data-test=unit-panel] [data-figure=residents]')
    assert.equal(await page.textContent('[data-test=unit-name]'), target.properties.name)
    assert.equal(Number(await page.textContent('[data-test=unit-panel] [data-figure=residents] [data-test=figure-value]')), expected)
    await screenshot(page, '04-one-map-unit')
    // The panel's link lists that unit's residents.
    await page.click('[data-test=unit-residents]')
    await page.waitForSelector('[data-test=residents] .resident-row, [data-test=residents] .el-table__empty-text')
    assert.equal(Number((await page.textContent('[data-test=total]')).replace(/[^0-9]/g, '')), expected)
  })

  test('a grid worker sees only their grid', async () => {
    const community = (await admin.call('GET', '/api/v1/org/units/search?q=' + encodeURIComponent('城东社区'))).data.items.find((u) => u.kind === 'community')
    const grid = (await admin.call('GET', `/api/v1/org/units?parent=${community.id}`)).data.items[0]
    const micro = (await admin.call('GET', `/api/v1/org/units?parent=${grid.id}`)).data.items
    const inGrid = (await admin.call('GET', `/api/v1/residents?unit=${grid.id}&page_size=1`)).data.total
    city.run('user', 'add', '--login', 'wang', '--role', 'grid_worker', '--unit', grid.name, '--password-stdin', { input: PASSWORD + 'w\n' })

    const context = (await launch())
    try {
      const worker = await context.context.newPage()
      await signIn(worker, city.url, 'wang', PASSWORD + 'w', PASSWORD + 'x')
      await worker.goto(city.url + '/#/dashboard')
      await worker.waitForSelector('[data-test=dashboard][data-ready=true]', { timeout: 20_000 })
      assert.equal(await worker.textContent('[data-test=dashboard-unit]'), grid.name)
      const residents = Number((await worker.textContent('[data-figure=residents] [data-test=figure-value]')).replace(/[^0-9]/g, ''))
      assert.equal(residents, inGrid)
      assert.ok(inGrid < 2000)
      // No system pages in the menu.
      assert.equal(await worker.locator('[data-menu=users]').count(), 0)
      assert.equal(await worker.locator('[data-menu=audit]').count(), 0)
      await screenshot(worker, '05-grid-worker-dashboard')

      await worker.goto(city.url + '/#/map')
      await worker.waitForSelector('[data-test=one-map][data-loaded=true]', { timeout: 20_000 })
      assert.equal(await worker.locator('path.unit-grid').count(), 1)
      assert.equal(await worker.locator(`path.unit-id-${grid.id}`).count(), 1)
      assert.equal(await worker.locator('path.unit-micro_grid').count(), micro.length)
      assert.equal(await worker.locator('path.unit-street').count(), 0)
      await screenshot(worker, '06-grid-worker-map')

      await worker.goto(city.url + '/#/residents')
      await worker.waitForSelector('[data-test=residents] .resident-row')
      assert.equal(Number((await worker.textContent('[data-test=total]')).replace(/[^0-9]/g, '')), inGrid)
      const units = await worker.locator('.resident-row td:nth-child(6)').allTextContents()
      for (const name of units) assert.ok(name.startsWith(grid.name), name)
      // The audit page is refused.
      await worker.goto(city.url + '/#/system/audit')
      await worker.waitForURL(/#\/403/)
    } finally {
      await context.close()
    }
  })

  test('editing a resident adds a history entry', async () => {
    await page.goto(city.url + '/#/residents')
    await page.fill('[data-test=filter-name]', '何')
    await page.click('[data-test=search]')
    await page.waitForSelector('.resident-row')
    const name = (await page.locator('.resident-row td:nth-child(1)').first().textContent()).trim()
    await page.locator('.resident-row').first().click()
    await page.waitForSelector('[data-test=resident-name]')
    assert.equal((await page.textContent('[data-test=resident-name]')).trim(), name)
    await screenshot(page, '07-resident-detail')
    const versionsBefore = await page.locator('.history-entry').count()
    await page.click('[data-test=edit]')
    await page.waitForSelector('[data-test=field-notes]')
    // A bad ID number is refused with the API's message beside the field.
    await page.fill('[data-test=field-id-number]', '123')
    await page.click('[data-test=save]')
    await page.waitForSelector('[data-test=form-error]')
    assert.match(await page.locator('.el-form-item__error').first().textContent(), /身份证号/)
    await screenshot(page, '08-resident-form-error')
    await page.reload()
    await page.waitForSelector('[data-test=field-notes]')
    await page.fill('[data-test=field-notes]', '独居，每周探访一次')
    await page.click('[data-test=save]')
    await page.waitForSelector('[data-test=resident-name]')
    await page.waitForFunction((n) => document.querySelectorAll('.history-entry').length === n + 1, versionsBefore)
    const newest = await page.locator('.history-entry').first().textContent()
    assert.match(newest, /独居，每周探访一次/)
    assert.match(newest, /console/)
    assert.equal((await page.textContent('[data-test=notes]')).trim(), '独居，每周探访一次')

    // 迁户: moved to another household (the one it is in cannot be picked), as one edit with its
    // history entry.
    const residentId = /residents\/(\d+)/.exec(page.url())[1]
    const api = new Api(city.url, contract)
    await api.login('admin', PASSWORD)
    const before = (await api.call('GET', `/api/v1/residents/${residentId}`)).data
    await page.click('[data-test=move]')
    await page.waitForSelector('[data-test=move-household-dialog]')
    const first = (list) => page.locator(`.${list} .el-select-dropdown__item:not(.is-disabled)`).first()
    // A building of another micro-grid of its grid (the grid searched by name in the dialog).
    const own = (await api.call('GET', `/api/v1/org/units/${before.unit.id}`)).data
    const grid = (await api.call('GET', `/api/v1/org/units/${own.parent_id}`)).data
    const buildings = (await api.call('GET', `/api/v1/places/buildings?unit=${grid.id}`)).data.items
    const target = buildings.find((b) => b.households > 0 && b.unit_id !== before.unit.id)
    assert.ok(target, 'another building in the grid')
    await page.fill('[data-test=move-unit] input', grid.name)
    await page.click(`.el-autocomplete-suggestion li:has-text("${grid.name}")`)
    await page.click('[data-test=move-building]')
    await page.click(`.move-building-list .el-select-dropdown__item[data-building="${target.name}"]`)
    await page.click('[data-test=move-household]')
    await first('move-household-list').click()
    await screenshot(page, '08b-move-household')
    await page.click('[data-test=move-confirm]')
    await page.waitForFunction((n) => document.querySelectorAll('.history-entry').length === n + 2, versionsBefore)
    const after = (await api.call('GET', `/api/v1/residents/${residentId}`)).data
    assert.notEqual(after.household_id, before.household_id)
    assert.equal(after.version, before.version + 1)
    assert.match(await page.locator('.history-entry').first().textContent(), /household_id|户/)
  })

  test('unmasking asks for a purpose and is in the audit log', async () => {
    const url = page.url()
    const id = url.match(/residents\/(\d+)/)[1]
    assert.match(await page.textContent('[data-test=id-number]'), /\*/)
    await page.click('[data-test=unmask]')
    await page.waitForSelector('[data-test=unmask-purpose]')
    assert.equal(await page.isDisabled('[data-test=unmask-confirm]'), true)
    await page.fill('[data-test=unmask-purpose]', '核实低保申请材料')
    await page.click('[data-test=unmask-confirm]')
    await page.waitForSelector('[data-test=unmasked]')
    assert.doesNotMatch(await page.textContent('[data-test=id-number]'), /\*/)
    await screenshot(page, '09-resident-unmasked')
    await page.goto(city.url + '/#/system/audit')
    await page.fill('[data-test=audit-action]', 'pii.unmask')
    await page.click('[data-test=audit-search]')
    const row = page.locator('.audit-row', { hasText: `resident:${id}` }).first()
    await row.waitFor()
    assert.match(await row.textContent(), /核实低保申请材料/)
    await screenshot(page, '10-audit')
  })

  test('an import with one bad row gives its errors by row and the error workbook', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-e2e-import-'))
    const sheet = join(dir, '采集表.csv')
    writeFileSync(sheet, [
      '姓名,性别,出生日期,身份证号,所属社区,标签',
      '导入甲,男,1951-04-01,,城东社区,独居',
      '导入乙,女,1972-02-02,33118119720202123,城东社区,',
      '导入丙,女,1988-03-03,,城东社区,党员',
    ].join('\n') + '\n')
    await page.goto(city.url + '/#/imports')
    await page.setInputFiles('[data-test=imports] input[type=file]', sheet)
    await page.waitForSelector('[data-test=preview] tbody tr')
    assert.equal(await page.locator('[data-test=preview] tbody tr').count(), 3)
    assert.match(await page.textContent('[data-test=preview] thead'), /id_number/)

    await page.click('[data-test=dry-run]')
    await page.waitForSelector('[data-test=job][data-state=done][data-step=dry_run] [data-test=problems]')
    const problems = page.locator('.problem-row')
    assert.equal(await problems.count(), 1)
    const problem = await problems.first().textContent()
    assert.match(problem, /^3/) // the file's third line: header is line 1
    assert.match(problem, /身份证号/)
    await screenshot(page, '11-import-dry-run')

    // The report workbook names the bad row's error.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=report]')])
    const report = join(dir, 'report.xlsx')
    await download.saveAs(report)
    assert.equal(readFileSync(report).subarray(0, 2).toString(), 'PK')
    const strings = spawnSync('python3', ['-c', 'import sys,zipfile;z=zipfile.ZipFile(sys.argv[1]);print("".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/")))', report], { encoding: 'utf8' })
    assert.equal(strings.status, 0, strings.stderr)
    assert.match(strings.stdout, /身份证号/)
    assert.match(strings.stdout, /导入乙/)

    // Skipping the bad row imports the other two.
    await page.click('[data-test=on-error-skip]')
    await page.click('[data-test=commit]')
    await page.waitForSelector('[data-test=job][data-state=done][data-step=commit] [data-test=applied]')
    assert.match(await page.textContent('[data-test=applied]'), /\+2/)
    await screenshot(page, '12-import-commit')
    const found = await admin.call('GET', '/api/v1/residents?name=' + encodeURIComponent('导入'))
    assert.deepEqual(found.data.items.map((r) => r.name).sort(), ['导入丙', '导入甲'])
    // The upload's answer, as the API gives it (Chromium does not keep an upload's answer for
    // the page's watcher): its shape is checked at the end.
    const uploaded = await admin.call('POST', '/api/v1/imports?name=' + encodeURIComponent('采集表.csv'), readFileSync(sheet), { 'Content-Type': 'application/octet-stream' })
    assert.equal(uploaded.status, 201, JSON.stringify(uploaded.data))
    assert.equal(uploaded.data.preview.length, 3)
  })

  test('a segment built row by row counts what the API counts, is saved and exported', async () => {
    const count = async (query) => (await admin.call('POST', '/api/v1/segments/evaluate', { query })).data.count
    const shows = (n) => page.waitForFunction((want) => {
      const el = document.querySelector('[data-test=segment-count]')
      return el && el.dataset.busy === 'false' && el.dataset.count === String(want)
    }, n, { timeout: 15_000 })
    await page.goto(city.url + '/#/segments')
    // The page starts with age >= 60 and counts it at once.
    await shows(await count('age >= 60'))
    // A second row: has the tag 独居.
    await page.click('[data-test=add-row]')
    const row = page.locator('[data-test=segment-row]').nth(1)
    await row.locator('[data-test=row-kind]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '有标签' }).click()
    await row.locator('[data-test=row-tags]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '独居' }).click()
    const expected = await count('age >= 60 and has(独居)')
    assert.ok(expected > 0)
    await shows(expected)
    // The builder names the tag by its code; the text reads the same either way.
    assert.equal((await page.textContent('[data-test=segment-canonical]')).trim(), 'age >= 60 and has(lives_alone)')
    const breakdown = await page.locator('[data-test=segment-breakdown] .el-table__body tr').allTextContents()
    assert.equal(breakdown.reduce((sum, line) => sum + Number(line.match(/(\d+)\s*$/)[1]), 0), expected)
    await screenshot(page, '17-segment-builder')

    // The text mode shows the same query; a typo is pointed at by column.
    await page.click('[data-test=mode-text]')
    assert.equal(await page.inputValue('[data-test=segment-text]'), 'age >= 60 and has(lives_alone)')
    await page.fill('[data-test=segment-text]', 'age >= 60 and and has(独居)')
    await page.click('[data-test=segment-run]')
    assert.match(await (await page.waitForSelector('[data-test=segment-error]')).textContent(), /第 15 列/)
    await page.fill('[data-test=segment-text]', 'age >= 60 and has(独居)')
    await page.click('[data-test=segment-run]')
    await shows(expected)
    await page.click('[data-test=mode-builder]')
    await page.waitForFunction(() => document.querySelectorAll('[data-test=segment-row]').length === 2)

    // Saved: in the list, and in the API with its first version.
    await page.click('[data-test=segment-save]')
    await page.fill('[data-test=save-name]', '独居老人（测试）')
    await page.click('[data-test=save-confirm]')
    await page.locator('[data-test=saved-segment]', { hasText: '独居老人（测试）' }).waitFor()
    const saved = (await admin.call('GET', '/api/v1/segments')).data.items.find((s) => s.name === '独居老人（测试）')
    assert.equal((await admin.call('POST', '/api/v1/segments/evaluate', { segment_id: saved.id })).data.count, expected)

    // Exported: a workbook with a title row, the header and one row per resident.
    await page.click('[data-test=segment-export]')
    await page.click('[data-test=export-confirm]')
    await page.waitForSelector('[data-test=segment-export-file]', { timeout: 30_000 })
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=segment-export-file]')])
    const dir = mkdtempSync(join(tmpdir(), 'steward-e2e-segment-'))
    const book = join(dir, 'segment.xlsx')
    await download.saveAs(book)
    const rows = spawnSync('python3', ['-c', 'import sys,zipfile;print(zipfile.ZipFile(sys.argv[1]).read("xl/worksheets/sheet1.xml").decode().count("<row "))', book], { encoding: 'utf8' })
    assert.equal(rows.status, 0, rows.stderr)
    assert.equal(Number(rows.stdout.trim()), expected + 2)
    await screenshot(page, '18-segment-export')
  })

  test('a script is checked and tried, a campaign started in the wizard is called live, paused and cancelled', async () => {
    // 话术库: the first script passes the check with its dry run; tried as 王秀英, 78, she is 王阿姨.
    await page.goto(city.url + '/#/scripts')
    await page.waitForSelector('[data-script=residence_check]')
    await page.click('[data-script=residence_check]')
    await page.click('[data-test=script-check]')
    await page.waitForSelector('[data-test=script-findings][data-valid=true]')
    assert.ok((await page.locator('[data-test=script-dry-run] .el-table__body tr').count()) >= 10)
    await page.click('[data-test=script-try]')
    const transcript = await page.waitForSelector('[data-test=script-transcript][data-outcome=answered_completed]')
    assert.match(await transcript.textContent(), /王阿姨/)
    await screenshot(page, '19-script-try')
    // The node forms: the moved-away choice is relabelled, the question renamed (the opening
    // follows), and the copy named for the community; the JSON view shows the same draft.
    const input = (test) => `input[data-test=${test}], [data-test=${test}] input`
    await page.click('[data-test=script-nodes] [data-node=residence]')
    await page.waitForSelector('[data-test=node-form][data-node=residence]')
    await page.locator('[data-test=node-keys] .el-table__body tr').nth(2).locator(input('key-label')).fill('已搬离本市')
    await page.locator(input('node-id')).fill('where_now')
    await page.locator(input('node-id')).press('Enter')
    await page.waitForSelector('[data-test=node-form][data-node=where_now]')
    await page.locator(input('script-name')).fill('residence_check_town')
    await page.locator(input('script-title')).fill('人户核实（本社区）')
    await screenshot(page, '19b-script-editor')
    await page.click('.el-tabs__item:has-text("JSON")')
    const copy = JSON.parse(await page.inputValue('textarea[data-test=script-json], [data-test=script-json] textarea'))
    assert.equal(copy.name, 'residence_check_town')
    assert.equal(copy.nodes.find((n) => n.id === 'opening').next, 'where_now')
    assert.equal(copy.nodes.find((n) => n.id === 'where_now').labels.moved_away, '已搬离本市')
    assert.equal(copy.nodes.find((n) => n.id === 'where_now').keys['3'], 'moved_away')
    // Saved in the library as version 1, as edited.
    await page.click('[data-test=script-save]')
    await page.waitForSelector('[data-script=residence_check_town] [data-version="1"]')
    const library = (await admin.call('GET', '/api/v1/scripts')).data.items.filter((s) => s.name === 'residence_check_town')
    assert.deepEqual(library.map((s) => [s.title, s.version]), [['人户核实（本社区）', 1]])
    assert.equal(library[0].script.nodes.find((n) => n.id === 'where_now').labels.moved_away, '已搬离本市')
    // Removing a node the branch leads to: the check fails on the branch, marked in the list.
    await page.click('[data-test=script-nodes] [data-node=goodbye_moved]')
    await page.waitForSelector('[data-test=node-form][data-node=goodbye_moved]')
    await page.click('[data-test=node-remove]')
    await page.click('.el-message-box__btns .el-button--primary')
    await page.waitForSelector('[data-test=script-nodes] [data-node=goodbye_moved]', { state: 'detached' })
    await page.click('[data-test=script-check]')
    await page.waitForSelector('[data-test=script-findings][data-valid=false] [data-finding=by_residence]')
    await page.waitForSelector('[data-test=script-nodes] .node-id.error[data-node=by_residence]')

    // 录音提示音: staff upload their own recording of policy_notice's goodbye; it is listed with a
    // player, and calls will say it from the recording.
    await page.click('[data-script=policy_notice]')
    await page.click('.el-tabs__item:has-text("录音提示音")')
    const goodbye = '感谢您的收听，再见。'
    await page.waitForSelector(`[data-test=prompt-pieces] [data-piece="${goodbye}"]`)
    const row = page.locator('[data-test=prompt-pieces] .el-table__body tr', { has: page.locator(`[data-piece="${goodbye}"]`) })
    const wav = join(mkdtempSync(join(tmpdir(), 'steward-prompt-')), '结束语.wav')
    writeFileSync(wav, toneWav(1.2, 500, 22050))
    await row.locator('input[type=file]').setInputFiles(wav)
    await row.locator('[data-recorded]').waitFor()
    await screenshot(page, '19c-recorded-prompts')
    const prompts = (await admin.call('GET', '/api/v1/prompts')).data.items
    assert.deepEqual(prompts.map((p) => [p.text, Math.round(p.duration_ms / 100)]), [[goodbye, 12]])
    const played = await page.evaluate(async (src) => {
      const response = await fetch(src)
      return [response.status, response.headers.get('Content-Type')]
    }, await row.locator('audio').getAttribute('src'))
    assert.deepEqual(played, [200, 'audio/wav'])

    // 外呼任务: the wizard counts the segment in the user's scope as the API does, then starts it.
    const query = 'age >= 70'
    const expected = (await admin.call('POST', '/api/v1/segments/evaluate', { query })).data.count
    await fillWizard('人户状态核实', query, expected)
    await screenshot(page, '20-campaign-wizard')
    const sockets = []
    page.on('websocket', (socket) => sockets.push(socket.url()))
    await page.click('[data-test=wizard-start]')
    await page.waitForSelector('[data-test=campaign-monitor][data-state=running]', { timeout: 15_000 })
    const id = page.url().match(/campaigns\/(\d+)/)[1]
    const started = (await admin.call('GET', `/api/v1/campaigns/${id}`)).data
    assert.equal(started.funnel.targeted, expected)
    // The server calls it; the monitor follows the live events.
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-figure=dialled] .el-statistic__number')
      return el && Number(el.textContent.replace(/[^0-9]/g, '')) > 0
    }, null, { timeout: 30_000 })
    await page.waitForSelector('[data-test=campaign-recent] .el-table__body tr', { timeout: 60_000 })
    // The live figures come over a WebSocket.
    await page.waitForSelector('[data-test=campaign-live][data-live=true]')
    assert.ok(sockets.some((url) => url.startsWith(city.url.replace('http', 'ws') + `/api/v1/campaigns/${id}/events`)), sockets.join())
    await screenshot(page, '21-campaign-monitor')
    await page.click('[data-test=campaign-pause]')
    await page.waitForSelector('[data-test=campaign-monitor][data-state=paused]')
    assert.equal((await admin.call('GET', `/api/v1/campaigns/${id}`)).data.state, 'paused')
    await page.click('[data-test=campaign-cancel]')
    await page.click('.el-message-box__btns .el-button--primary')
    await page.waitForSelector('[data-test=campaign-monitor][data-state=cancelled]')
    await page.locator('[data-test=campaign-live]', { hasText: '任务已结束' }).waitFor({ timeout: 15_000 })
    // The ledger downloads with one row per resident under the title block.
    const ledger = await admin.call('GET', `/api/v1/campaigns/${id}/ledger?format=csv`)
    assert.equal(ledger.status, 200)
    assert.equal(ledger.headers.get('x-ledger-rows'), String(expected))
    await page.goto(city.url + '/#/campaigns')
    await page.locator('[data-test=campaign-list] .el-table__body tr', { hasText: '已取消' }).waitFor()
  })

  test('a campaign started in the console calls SIPp residents over SIP, and their recordings play', async () => {
    const query = 'phone_valid = true and age >= 85'
    const expected = (await admin.call('POST', '/api/v1/segments/evaluate', { query })).data.count
    assert.ok(expected >= 1 && expected <= 20, `the segment selects ${expected}`)
    await fillWizard('政策通知', query, expected, async () => {
      await page.fill('[data-field=notice] input, input[data-field=notice]', '测试通知')
      await page.locator('[data-test=wizard-channel] .el-radio', { hasText: '电话线路' }).click()
    })
    await page.click('[data-test=wizard-start]')
    // Real calls in real time: each SIPp resident answers, hears the opening and presses 1.
    await page.waitForSelector('[data-test=campaign-monitor][data-state=completed]', { timeout: 150_000 })
    const id = page.url().match(/campaigns\/(\d+)/)[1]
    const done = (await admin.call('GET', `/api/v1/campaigns/${id}`)).data
    assert.equal(done.funnel.outcomes.answered_completed, expected, JSON.stringify(done.funnel))
    assert.equal(done.funnel.answers.receipt.received, expected, JSON.stringify(done.funnel))
    // Every call is listed with its recording, and Chromium plays it from the API.
    await page.click('[data-test=campaign-calls-refresh]')
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=campaign-calls] audio[data-test=call-recording]').length === n, expected)
    const seconds = await page.evaluate(() => new Promise((ok, fail) => {
      const audio = document.querySelector('[data-test=call-recording]')
      audio.addEventListener('loadedmetadata', () => ok(audio.duration), { once: true })
      audio.addEventListener('error', () => fail(new Error('the recording does not play: ' + audio.error?.message)), { once: true })
      audio.preload = 'auto'
      audio.load()
    }))
    assert.ok(seconds > 8, `the recording lasts ${seconds} s`)
    await screenshot(page, '22-campaign-recordings')
  })

  test('units and grids, users, roles and dictionaries show the city', async () => {
    const stats = city.runJson('stats')
    await page.goto(city.url + '/#/org')
    const root = page.locator('[data-test=org] .el-tree-node__content', { hasText: '龙泉市' }).first()
    await root.waitFor()
    await root.locator('.el-tree-node__expand-icon').click()
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=org] .el-tree-node .el-tree-node .el-tree-node__content').length === n, stats.streets)
    await page.locator('[data-test=org] .el-tree-node__content', { hasText: '龙渊街道' }).click()
    await page.waitForSelector('[data-test=org] .el-descriptions')
    assert.match(await page.textContent('[data-test=org] .el-descriptions'), /331181/)
    await screenshot(page, '13-org')

    // A new community under 龙渊街道 gets its boundary drawn on the map, corner by corner.
    const street = (await admin.call('GET', '/api/v1/org/units/search?q=' + encodeURIComponent('龙渊街道'))).data.items.find((u) => u.kind === 'street')
    const created = await admin.call('POST', '/api/v1/org/units', { parent_id: street.id, name: '画界试点社区', division_code: `${street.division_code}099` })
    assert.equal(created.status, 201, JSON.stringify(created.data))
    await page.locator('[data-test=org] .el-tree-node__content', { hasText: '龙渊街道' }).locator('.el-tree-node__expand-icon').click()
    await page.locator('[data-test=org] .el-tree-node__content', { hasText: '画界试点社区' }).click()
    await page.waitForFunction(() => document.querySelector('[data-test=org] .head')?.textContent?.includes('画界试点社区'))
    await page.click('[data-test=draw-boundary]')
    const drawer = page.locator('[data-test=boundary-drawer]')
    await drawer.locator('path.unit-street').waitFor()
    await page.click('[data-test=draw-start]')
    await page.waitForSelector('[data-test=boundary-drawer][data-drawing=true]')
    const box = await drawer.locator('.map-view').boundingBox()
    const corners = [[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.6]].map(([x, y]) => [box.x + box.width * x, box.y + box.height * y])
    for (const [x, y] of [...corners, corners[0]]) {
      await page.mouse.click(x, y)
      await page.waitForTimeout(150)
    }
    await page.waitForSelector('[data-test=boundary-drawer]:not([data-drawing])[data-vertices="4"]')
    await screenshot(page, '13-org-draw')
    await page.click('[data-test=draw-save]')
    await drawer.waitFor({ state: 'detached' })
    const drawn = await admin.call('GET', `/api/v1/org/units/${created.data.id}/boundary`)
    assert.equal(drawn.status, 200)
    const ring = drawn.data.geometry.coordinates[0]
    assert.equal(ring.length, 5)
    assert.deepEqual(ring[4], ring[0])
    // Clicked left to right and top to bottom on a north-up map: longitudes grow, latitudes fall.
    assert.ok(ring[1][0] > ring[0][0] && ring[2][1] < ring[1][1] && ring[3][0] < ring[2][0], JSON.stringify(ring))
    // The map was fitted to the street, so the middle of the view lies within the street's extent.
    const streetShape = (await admin.call('GET', `/api/v1/org/units/${street.id}/boundary`)).data.geometry
    const streetPoints = streetShape.coordinates.flat(streetShape.type === 'Polygon' ? 1 : 2)
    const [lons, lats] = [streetPoints.map((p) => p[0]), streetPoints.map((p) => p[1])]
    for (const [lon, lat] of ring) {
      assert.ok(lon > Math.min(...lons) && lon < Math.max(...lons) && lat > Math.min(...lats) && lat < Math.max(...lats), `${lon},${lat} within 龙渊街道`)
    }
    // Opened again, the saved shape is there to edit: its four corners.
    await page.click('[data-test=draw-boundary]')
    await page.waitForSelector('[data-test=boundary-drawer][data-vertices="4"]')
    await drawer.locator('path.own-boundary').waitFor()
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'detached' })

    await page.goto(city.url + '/#/system/users')
    await page.waitForSelector('.user-row')
    const logins = await page.locator('.user-row td:first-child').allTextContents()
    assert.deepEqual(logins.map((l) => l.trim()).sort(), ['admin', 'wang'])
    assert.match(await page.textContent('[data-test=users]'), /城东社区第1网格/)
    await screenshot(page, '14-users')

    await page.goto(city.url + '/#/system/roles')
    await page.locator('[data-test=roles] .el-table__row', { hasText: '网格员' }).first().click()
    await page.waitForSelector('[data-test=roles] .group')
    const checked = await page.locator('[data-test=roles] .el-checkbox.is-checked').count()
    const roles = (await admin.call('GET', '/api/v1/system/roles')).data.items
    assert.equal(checked, roles.find((r) => r.code === 'grid_worker').permissions.length)
    await screenshot(page, '15-roles')

    await page.goto(city.url + '/#/system/dict')
    await page.waitForSelector('[data-test=dict] .el-table__row')
    assert.match(await page.textContent('[data-test=dict] .el-table'), /户主/)
    await screenshot(page, '16-dict')
  })

  test('every answer the console and the tests received has the shape api/openapi.yaml gives it', () => {
    assert.deepEqual(contract.failures, [])
    for (const name of ['Me', 'Summary', 'Job', 'ImportPreview', 'Resident', 'FeatureCollection', 'GeoFeature', 'GET /api/v1/org/units/{id}/staff']) {
      assert.ok(contract.checked.get(name) > 0, `no answer checked against ${name}: ${JSON.stringify([...contract.checked])}, unread: ${contract.unread.join('; ')}`)
    }
  })
})
