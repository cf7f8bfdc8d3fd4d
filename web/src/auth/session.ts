// Who is signed in: the answer of GET /api/v1/auth/me (permissions, units, CSRF token), shared by
// the router guard, the v-perm directive, the HTTP client and the pages. One reactive object.
import { reactive } from 'vue'
import { http } from '@/api/request'
import type { LoginAnswer, Me } from '@/api/types'

export const session = reactive({
  me: null as Me | null,
  csrf: null as string | null,
  loaded: false,
})

export async function loadMe(): Promise<Me | null> {
  try {
    const me = await http.get<Me>('/api/v1/auth/me', undefined, { quiet: true, noRedirect: true })
    session.me = me
    session.csrf = me.csrf_token ?? null
  } catch {
    session.me = null
  }
  session.loaded = true
  return session.me
}

export async function signIn(login: string, password: string): Promise<LoginAnswer> {
  const answer = await http.post<LoginAnswer>('/api/v1/auth/login', { login, password }, { quiet: true, noRedirect: true })
  session.csrf = answer.csrf_token
  await loadMe()
  return answer
}

export async function changePassword(oldPassword: string, newPassword: string): Promise<void> {
  await http.post('/api/v1/auth/password', { old_password: oldPassword, new_password: newPassword }, { quiet: true })
  await loadMe()
}

export async function signOut(): Promise<void> {
  try {
    await http.post('/api/v1/auth/logout', {}, { quiet: true, noRedirect: true })
  } finally {
    session.me = null
    session.csrf = null
  }
}
