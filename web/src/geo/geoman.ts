// Leaflet-Geoman (drawing and editing shapes), loaded on demand by the boundary drawer. Its build
// reads Leaflet from the global `L` rather than importing it, so our Leaflet is put there first.
import L from 'leaflet'
import type {} from '@geoman-io/leaflet-geoman-free'

let loading: Promise<void> | null = null

export function loadGeoman(): Promise<void> {
  loading ??= (async () => {
    ;(window as unknown as { L: typeof L }).L = L
    await import('@geoman-io/leaflet-geoman-free')
  })()
  return loading
}
