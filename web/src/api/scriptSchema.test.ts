// @vitest-environment node
// The script JSON Schema (api/script.schema.json) agrees with the server's script reader: every
// built-in template is valid, and every table case the reader refuses for its shape the schema
// refuses too (tests/cases/script_check.tsv; graph problems are the checker's, not the schema's).
import { describe, expect, it } from 'vitest'
import Ajv from 'ajv'
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const schema = JSON.parse(readFileSync(`${root}api/script.schema.json`, 'utf8'))
const validate = new Ajv({ allErrors: true }).compile(schema)

describe('script schema', () => {
  it('accepts every built-in template', () => {
    const dir = `${root}src/campaign/templates/`
    const files = readdirSync(dir).filter((name) => name.endsWith('.json'))
    expect(files.length).toBe(6)
    for (const file of files) {
      const ok = validate(JSON.parse(readFileSync(dir + file, 'utf8')))
      expect(ok, `${file}: ${JSON.stringify(validate.errors)}`).toBe(true)
    }
  })

  it('refuses what the reader refuses and accepts what it reads', () => {
    const lines = readFileSync(`${root}tests/cases/script_check.tsv`, 'utf8').split('\n')
    const rows = lines.filter((line) => line && !line.startsWith('#')).slice(1)
    expect(rows.length).toBeGreaterThan(20)
    let refused = 0
    for (const row of rows) {
      const [expectCell, text] = row.split('\t')
      const ok = validate(JSON.parse(text))
      if (expectCell.startsWith('parse:')) {
        refused += 1
        expect(ok, `schema accepted a script the reader refuses (${expectCell})`).toBe(false)
      } else {
        expect(ok, `${expectCell}: ${JSON.stringify(validate.errors)}`).toBe(true)
      }
    }
    expect(refused).toBeGreaterThan(5)
  })
})
