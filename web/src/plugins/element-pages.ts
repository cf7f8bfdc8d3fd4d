// The Element Plus components of the signed-in pages, registered once when the layout loads
// (see element.ts). Each also registers its children (ElTable → ElTableColumn, ElMenu →
// ElMenuItem, ElSelect → ElOption, ElTabs → ElTabPane, ElSteps → ElStep, ElDescriptions → ElDescriptionsItem, …).
import type { App, Plugin } from 'vue'
import { ElAside, ElBreadcrumb, ElCard, ElContainer, ElDropdown, ElMenu } from 'element-plus'

// What the layout and the dashboard use; the rest (element-more.ts) loads with the other pages.
const pages: Plugin[] = [ElAside, ElBreadcrumb, ElCard, ElContainer, ElDropdown, ElMenu]

let installed = false
export function installPages(app: App): void {
  if (installed) return
  installed = true
  for (const plugin of pages) app.use(plugin)
}
