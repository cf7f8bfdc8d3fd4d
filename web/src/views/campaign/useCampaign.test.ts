import { describe, expect, it } from 'vitest'
import { campaignBody, defaultWizard, percent, policyBody, scheduleBody } from './useCampaign'

describe('the campaign wizard', () => {
  it('leaves the office windows to the server and sends all-day or custom windows for every day', () => {
    const form = defaultWizard()
    expect(scheduleBody(form)).toEqual({})
    form.windows = 'all_day'
    const allDay = scheduleBody(form).windows as Record<string, string[][]>
    expect(Object.keys(allDay)).toHaveLength(8)
    expect(allDay.sun).toEqual([['00:00', '24:00']])
    form.windows = 'custom'
    form.from = '08:30'
    form.to = '11:30'
    form.rounds = '09:00，16:00'
    form.startDate = '2026-12-08'
    const custom = scheduleBody(form)
    expect((custom.windows as Record<string, string[][]>).holiday).toEqual([['08:30', '11:30']])
    expect(custom.rounds).toEqual(['09:00', '16:00'])
    expect(custom.start_date).toBe('2026-12-08')
  })

  it('sends the policy with the retry interval for no answer and busy alike', () => {
    const policy = policyBody({ ...defaultWizard(), maxAttempts: 2, retryNoAnswerMin: 30 })
    expect(policy.max_attempts).toBe(2)
    expect(policy.retry_after_min).toEqual({ no_answer: 30, busy: 30 })
  })

  it('names the script and the segment, and only the fields given', () => {
    const form = { ...defaultWizard(), script: 'policy_notice', query: 'age >= 80' }
    expect(campaignBody(form)).not.toHaveProperty('fields')
    expect(campaignBody(form)).not.toHaveProperty('name')
    form.fields = { notice: '停水' }
    form.name = '  停水通知 '
    expect(campaignBody(form)).toMatchObject({ script_name: 'policy_notice', query: 'age >= 80', name: '停水通知', fields: { notice: '停水' } })
  })
})

describe('the figures', () => {
  it('shows shares with one decimal and nothing for an empty campaign', () => {
    expect(percent(1, 3)).toBe('33.3')
    expect(percent(0, 0)).toBe('0.0')
  })
})
