// Element Plus, installed through this file: `installElement` registers what the login and
// password pages need (so their JS stays small); `installElementPages` loads element-pages.ts,
// the list of everything else, when the signed-in layout is first entered. Toasts go through
// `toastError` / `toastSuccess` so the HTTP client never imports Element Plus itself.
import type { App, Plugin } from 'vue'
import { ElAlert, ElButton, ElConfigProvider, ElForm, ElInput, ElMessage, ElRadio } from 'element-plus'
import 'element-plus/dist/index.css'

// Each of these also registers its children (ElForm → ElFormItem, ElRadio → ElRadioGroup and
// ElRadioButton).
const base: Plugin[] = [ElAlert, ElButton, ElConfigProvider, ElForm, ElInput, ElRadio]

let installedOn: App | null = null

export function installElement(app: App): void {
  installedOn = app
  for (const plugin of base) app.use(plugin)
}

/** The layout's and the dashboard's part of Element Plus: the router awaits it with the layout. */
export async function installElementPages(): Promise<void> {
  const { installPages } = await import('./element-pages')
  if (installedOn) installPages(installedOn)
}

/** The rest of Element Plus, for every signed-in page but the dashboard: awaited with the page. */
export async function installElementMore(): Promise<void> {
  const { installMore } = await import('./element-more')
  if (installedOn) installMore(installedOn)
}

export function toastError(message: string): void {
  ElMessage({ type: 'error', message, grouping: true, duration: 4000 })
}

export function toastSuccess(message: string): void {
  ElMessage({ type: 'success', message, grouping: true })
}
