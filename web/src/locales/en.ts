// English, the second language. Keys mirror zh-CN.ts.
import type zhCN from './zh-CN'

type Messages = { [K in keyof typeof zhCN]: { [P in keyof (typeof zhCN)[K]]: string } }

const en: Messages = {
  app: { name: 'City Steward', tagline: 'Community governance · grids and residents' },
  menu: {
    dashboard: 'Dashboard', one_map: 'One map', residents: 'Residents', imports: 'Import / export', org: 'Units and grids',
    users: 'Users', roles: 'Roles', dict: 'Dictionaries', audit: 'Audit log',
  },
  common: {
    save: 'Save', cancel: 'Cancel', back: 'Back', search: 'Search', reset: 'Reset', edit: 'Edit', create: 'New',
    delete: 'Delete', confirm: 'OK', close: 'Close', refresh: 'Refresh', actions: 'Actions', detail: 'Details',
    loading: 'Loading…', none: 'None', yes: 'Yes', no: 'No', total: '{n} in all', forbidden: 'You may not open this page',
    saved: 'Saved', columns: 'Columns', all: 'All', date: 'Date', name: 'Name', download: 'Download',
  },
  auth: {
    login: 'Login', password: 'Password', sign_in: 'Sign in', logout: 'Sign out', change_password: 'Change password',
    old_password: 'Current password', new_password: 'New password', new_password_again: 'New password again',
    must_change: 'First sign-in: change the initial password first.', password_changed: 'Password changed',
    password_mismatch: 'The two new passwords differ', retry_in: 'Try again in {seconds} s',
    locked_hint: 'Too many wrong passwords: the account is locked for a while; try later or ask an administrator.',
  },
  unit_kind: { city: 'City', street: 'Streets', community: 'Communities', grid: 'Grids', micro_grid: 'Micro-grids' },
  residence_status: { both: 'Living at registered address', resident_only: 'Living here, registered elsewhere', registered_only: 'Registered here, living elsewhere' },
  gender: { male: 'Male', female: 'Female' },
  scope: { capture: 'Capture', view: 'View', search: 'Search' },
  tag: {
    lives_alone: 'Lives alone', disabled: 'Disabled', subsistence_allowance: 'Subsistence allowance', near_poverty: 'Near poverty',
    extreme_poverty: 'Extreme poverty', veteran: 'Veteran', party_member: 'Party member', pregnant: 'Pregnant',
    key_group: 'Key group', migrant: 'Migrant',
  },
  staff_role: { grid_leader: 'Grid leader', grid_worker: 'Grid worker', grid_instructor: 'Grid instructor', building_leader: 'Building leader' },
  dashboard: {
    residents: 'Residents collected', elderly_living_alone: 'Elderly living alone', assistance_households: 'Assistance households',
    assistance_members: 'Assistance members', grids_without_grid_worker: 'Grids without a grid worker',
    by_child: 'Residents by unit', click_to_drill: '(click to drill down)', residence_status: 'Residence status',
    age_pyramid: 'Age structure', age_band: '{band}', age_unknown: 'Unknown', tags: 'Residents by tag',
    map: 'Area', open_map: 'Open the map', my_scope: 'My scope', as_of: 'As of {date}',
  },
  map: {
    layers: 'Layers', buildings: 'Buildings', labels: 'Labels', search: 'Find a unit, building or resident', tiles: 'Base map',
    tile_url: 'Tile URL', tile_none: 'No tiles (offline)', tile_system: 'Coordinates', wgs84: 'WGS-84 / Tianditu',
    gcj02: 'GCJ-02 / AMap, Tencent', apply: 'Apply', figures: 'Figures', staff: 'Staff', no_staff: 'No staff yet',
    residents_link: "See this unit's residents", building: 'Building', floors: 'Floors', households: 'Households', address: 'Address',
    not_on_map: 'This unit has no boundary to fly to', kind_unit: 'Unit', kind_building: 'Building', kind_resident: 'Resident',
  },
  resident: {
    list: 'Residents', detail: 'Resident', create: 'Register a resident', edit: 'Edit resident', name: 'Name', gender: 'Gender',
    birth_date: 'Birth date', age: 'Age', id_number: 'ID number', phone: 'Phone', phones: 'Phones',
    unit: 'Unit', household: 'Household', household_id: 'Household id', residence_status: 'Residence status',
    relation_to_head: 'Relation to head', tags: 'Tags', notes: 'Notes', ethnicity: 'Ethnicity', hukou_address: 'Registered address',
    members: 'Household members', history: 'History', unmask: 'Show in full', unmask_purpose: 'Purpose',
    unmask_hint: 'Showing the ID number and phones needs a purpose; it is audited and lasts 30 minutes.',
    unmask_placeholder: 'e.g. checking an allowance application', unmasked_until: 'Shown in full until {time}',
    age_range: 'Age', unit_filter: 'Unit', tags_filter: 'Tags (all of)', version: 'Version',
    changed_by: 'By', source: 'Source', changed_fields: 'Fields', delete_reason: 'Reason',
    move_household: 'Move household', saved: 'Resident saved', masked: 'Masked',
  },
  imports: {
    title: 'Import residents', upload: 'Choose a sheet', upload_hint: '.xlsx, .xls or .csv (UTF-8 or GB18030)',
    template: 'Download the template', columns: 'Detected columns', preview: 'Preview (first 10 rows)', unknown_columns: 'Unknown columns',
    missing_required: 'Missing required columns', dry_run: 'Dry run (writes nothing)', commit: 'Import', on_error: 'On errors',
    abort: 'Import nothing', skip: 'Skip bad rows', progress: 'Progress', report: 'Download the report', errors: 'Rows with errors',
    row: 'Row', column: 'Column', reason: 'Reason', done: 'Done', failed: 'Failed', rows_ok: '{n} rows good',
    rows_bad: '{n} rows bad', exports: 'Export residents', export_unit: 'Unit (empty: everything)', export_format: 'Format',
    export_unmasked: 'Full ID numbers and phones', export_purpose: 'Purpose', start_export: 'Export',
    export_ready: 'Export ready, {n} rows', state: 'State', field: 'Field', header: 'Header',
  },
  org: {
    tree: 'Units', unit: 'Unit', create_child: 'New child unit', rename: 'Rename', move: 'Move', end: 'Retire',
    boundary: 'Boundary', upload_boundary: 'Upload a boundary (GeoJSON)', staff: 'Staff', assign: 'Assign',
    valid_from: 'Valid from', valid_to: 'Valid to', effective: 'Effective', parent: 'New parent',
    official_name: 'Official name', division_code: 'Division code', subtype: 'Type', role: 'Role', phone: 'Phone',
    end_assignment: 'End', current: 'Current', retired: 'Retired', no_selection: 'Choose a unit on the left',
    end_confirm: 'Retire "{name}" on {date}?',
  },
  system: {
    users: 'Users', login: 'Login', display_name: 'Name', roles: 'Roles', units: 'Units', disabled: 'Disabled',
    enabled: 'Active', status: 'Status', disable: 'Disable', enable: 'Enable', reset_password: 'Reset password',
    new_user: 'New user', initial_password: 'Initial password', role_code: 'Code', role_name: 'Name',
    permissions: 'Permissions', new_role: 'New role', builtin: 'Built in', dict_type: 'Dictionary', label: 'Label', label_en: 'English label',
    code: 'Code', sort_order: 'Order', add_item: 'Add an item', actor: 'Actor', action: 'Action', target: 'Target',
    time: 'Time', detail: 'Detail', client: 'Client', seq: 'Seq', search_audit: 'Search', sensitive: 'Sensitive',
  },
}
export default en
