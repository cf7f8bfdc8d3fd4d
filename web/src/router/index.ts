// Routes: hash history (the server serves index.html at / whatever it is configured with), every
// page lazily loaded so the login page carries only its own code. `meta.perm` is the permission a
// page needs; the guard loads the user once, sends strangers to the login page, a user with an
// unchanged first password to the password page, and the unauthorised to 403.
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import { session, loadMe } from '@/auth/session'
import { can, type PermissionNeed } from '@/auth/permission'
import { installElementMore, installElementPages } from '@/plugins/element'
import { prefetchDashboard } from '@/views/dashboard/queries'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    perm?: PermissionNeed
    title?: string
    menu?: string
  }
}

export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/login/index.vue'), meta: { public: true } },
  { path: '/password', name: 'password', component: () => import('@/views/password/index.vue') },
  {
    path: '/',
    // The layout and the Element Plus components of the signed-in pages load together.
    component: () => Promise.all([import('@/layout/AppLayout.vue'), installElementPages()]).then(([layout]) => layout),
    redirect: { name: 'dashboard' },
    children: [
      { path: 'dashboard', name: 'dashboard', component: () => import('@/views/dashboard/index.vue'), meta: { perm: 'stats:view', title: 'menu.dashboard' } },
      { path: 'map', name: 'one_map', component: () => import('@/views/one_map/index.vue'), meta: { perm: 'org:unit:view', title: 'menu.one_map' } },
      { path: 'residents', name: 'residents', component: () => import('@/views/registry/resident_list/index.vue'), meta: { perm: 'registry:resident:view', title: 'menu.residents' } },
      { path: 'residents/new', name: 'resident_new', component: () => import('@/views/registry/resident_form/index.vue'), meta: { perm: 'registry:resident:create', title: 'resident.create', menu: 'residents' } },
      { path: 'residents/:id', name: 'resident', component: () => import('@/views/registry/resident_detail/index.vue'), meta: { perm: 'registry:resident:view', title: 'resident.detail', menu: 'residents' } },
      { path: 'residents/:id/edit', name: 'resident_edit', component: () => import('@/views/registry/resident_form/index.vue'), meta: { perm: 'registry:resident:edit', title: 'resident.edit', menu: 'residents' } },
      { path: 'imports', name: 'imports', component: () => import('@/views/registry/import_export/index.vue'), meta: { perm: ['registry:import:run', 'registry:export:run'], title: 'menu.imports' } },
      { path: 'segments', name: 'segments', component: () => import('@/views/segment/index.vue'), meta: { perm: 'segment:query:run', title: 'menu.segments' } },
      { path: 'campaigns', name: 'campaigns', component: () => import('@/views/campaign/campaigns/index.vue'), meta: { perm: 'campaign:call:view', title: 'menu.campaigns' } },
      { path: 'campaigns/:id', name: 'campaign', component: () => import('@/views/campaign/campaign_detail/index.vue'), meta: { perm: 'campaign:call:view', title: 'campaign.monitor', menu: 'campaigns' } },
      { path: 'scripts', name: 'scripts', component: () => import('@/views/campaign/scripts/index.vue'), meta: { perm: 'campaign:call:view', title: 'menu.scripts' } },
      { path: 'review', name: 'review', component: () => import('@/views/campaign/review/index.vue'), meta: { perm: 'campaign:change:review', title: 'menu.review' } },
      { path: 'org', name: 'org', component: () => import('@/views/org/units/index.vue'), meta: { perm: 'org:unit:view', title: 'menu.org' } },
      { path: 'system/users', name: 'users', component: () => import('@/views/system/users/index.vue'), meta: { perm: 'system:user:view', title: 'menu.users' } },
      { path: 'system/roles', name: 'roles', component: () => import('@/views/system/roles/index.vue'), meta: { perm: 'system:role:edit', title: 'menu.roles' } },
      { path: 'system/dict', name: 'dict', component: () => import('@/views/system/dict/index.vue'), meta: { perm: 'registry:resident:view', title: 'menu.dict' } },
      { path: 'system/audit', name: 'audit', component: () => import('@/views/system/audit/index.vue'), meta: { perm: 'audit:log:view', title: 'menu.audit' } },
      { path: '403', name: 'forbidden', component: () => import('@/views/forbidden/index.vue') },
    ],
  },
  { path: '/:rest(.*)*', redirect: { name: 'dashboard' } },
]

export const router = createRouter({ history: createWebHashHistory(), routes })

/** The first page a user may open (a grid worker without stats:view starts at the registry). */
export function homeRoute(): string {
  for (const name of ['dashboard', 'residents', 'one_map', 'org']) {
    const route = router.getRoutes().find((r) => r.name === name)
    if (route && can(route.meta.perm)) return name
  }
  return 'forbidden'
}

router.beforeEach(async (to) => {
  if (!session.loaded) await loadMe()
  if (to.meta.public) return true
  if (!session.me) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  if (session.me.must_change_password && to.name !== 'password') return { name: 'password' }
  if (to.name === 'dashboard' && !can(to.meta.perm)) return { name: homeRoute() }
  if (to.name === 'dashboard') prefetchDashboard(session.me.units)
  // Every signed-in page but the dashboard needs the rest of Element Plus (loaded once).
  else if (to.name !== 'password') await installElementMore()
  if (!can(to.meta.perm)) return { name: 'forbidden' }
  return true
})
