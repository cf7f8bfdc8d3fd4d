import { describe, expect, it, vi } from 'vitest'
import { campaignBody, defaultWizard, monitorUrl, percent, policyBody, recordingUrl, scheduleBody, useMonitor } from './useCampaign'

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
    expect(campaignBody(form)).not.toHaveProperty('channel')  // the simulator: the server's default
    expect(campaignBody({ ...form, channel: 'sip' }).channel).toBe('sip')
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

/** A stand-in for the browser's WebSocket: records what was opened, lets the test play the server. */
class FakeSocket {
  static opened: FakeSocket[] = []
  onopen: (() => void) | null = null
  onmessage: ((e: MessageEvent) => void) | null = null
  onclose: (() => void) | null = null
  closed = false
  constructor(public url: string) { FakeSocket.opened.push(this) }
  close() { this.closed = true; this.onclose?.() }
  send(event: string, data: unknown) { this.onmessage?.({ data: JSON.stringify({ event, data }) } as MessageEvent) }
}

describe('the live monitor', () => {
  it('opens ws: or wss: beside the page', () => {
    expect(monitorUrl('c 1', { protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/api/v1/campaigns/c%201/events?interval_ms=1000')
    expect(monitorUrl('c1', { protocol: 'https:', host: 'steward.example' })).toMatch(/^wss:\/\/steward\.example\//)
  })

  it('shows each picture, stops at the end, and reopens a link that dropped before it', () => {
    vi.useFakeTimers()
    FakeSocket.opened = []
    const monitor = useMonitor(1000, (url) => new FakeSocket(url) as unknown as WebSocket)
    monitor.open('c1')
    const first = FakeSocket.opened[0]
    first.onopen?.()
    expect(monitor.connected.value).toBe(true)
    first.send('monitor', { state: 'running' })
    expect(monitor.picture.value?.state).toBe('running')
    // The server went away: the monitor tries again a moment later.
    first.onclose?.()
    expect(monitor.connected.value).toBe(false)
    vi.advanceTimersByTime(1000)
    expect(FakeSocket.opened).toHaveLength(2)
    const second = FakeSocket.opened[1]
    second.send('monitor', { state: 'completed' })
    second.send('end', { state: 'completed' })
    expect(monitor.ended.value).toBe(true)
    second.onclose?.()
    vi.advanceTimersByTime(5000)
    expect(FakeSocket.opened).toHaveLength(2) // ended: no new link
    // Leaving the page closes the link and never reopens it.
    monitor.open('c2')
    const third = FakeSocket.opened[2]
    monitor.close()
    expect(third.closed).toBe(true)
    vi.advanceTimersByTime(5000)
    expect(FakeSocket.opened).toHaveLength(3)
    vi.useRealTimers()
  })
})

describe('the recordings', () => {
  it('are played from the call\'s recording route', () => {
    expect(recordingUrl('7001', '7345')).toBe('/api/v1/campaigns/7001/calls/7345/recording')
  })
})
