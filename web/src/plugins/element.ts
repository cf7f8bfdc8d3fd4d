// Element Plus, installed once: the components the console uses, registered globally, and its
// stylesheet. Toasts go through `toast` so the HTTP client never imports Element Plus itself.
import type { App } from 'vue'
import {
  ElAlert, ElAside, ElAutocomplete, ElBreadcrumb, ElBreadcrumbItem, ElButton, ElCard, ElCheckbox,
  ElCheckboxGroup, ElCol, ElConfigProvider, ElContainer, ElDatePicker, ElDescriptions,
  ElDescriptionsItem, ElDialog, ElDrawer, ElDropdown, ElDropdownItem, ElDropdownMenu, ElEmpty,
  ElForm, ElFormItem, ElHeader, ElInput, ElInputNumber, ElLoading, ElMain, ElMenu, ElMenuItem,
  ElMessage, ElOption, ElPagination, ElPopover, ElProgress, ElRadio, ElRadioButton, ElRadioGroup, ElRow,
  ElSelect, ElSwitch, ElTabPane, ElTable, ElTableColumn, ElTabs, ElTag, ElTimeline,
  ElTimelineItem, ElTree, ElUpload,
} from 'element-plus'
import 'element-plus/dist/index.css'

const components = [
  ElAlert, ElAside, ElAutocomplete, ElBreadcrumb, ElBreadcrumbItem, ElButton, ElCard, ElCheckbox,
  ElCheckboxGroup, ElCol, ElConfigProvider, ElContainer, ElDatePicker, ElDescriptions,
  ElDescriptionsItem, ElDialog, ElDrawer, ElDropdown, ElDropdownItem, ElDropdownMenu, ElEmpty,
  ElForm, ElFormItem, ElHeader, ElInput, ElInputNumber, ElMain, ElMenu, ElMenuItem, ElOption,
  ElPagination, ElPopover, ElProgress, ElRadio, ElRadioButton, ElRadioGroup, ElRow, ElSelect, ElSwitch,
  ElTabPane, ElTable, ElTableColumn, ElTabs, ElTag, ElTimeline, ElTimelineItem, ElTree, ElUpload,
]

export function installElement(app: App): void {
  for (const component of components) app.use(component)
  app.use(ElLoading)
}

export function toastError(message: string): void {
  ElMessage({ type: 'error', message, grouping: true, duration: 4000 })
}

export function toastSuccess(message: string): void {
  ElMessage({ type: 'success', message, grouping: true })
}
