-- Dictionaries (RuoYi's dict data) other than tags, which keep their own table: the lists the
-- console's forms and filters offer. Codes are what records store; labels are what people read,
-- and admins may relabel, reorder and (for added items) disable them. Fixed-code dictionaries
-- (gender, residence_status, unit_kind, scope, assistance) mirror enums in the code and take no
-- new items; relation_to_head is open. Items are never deleted: records keep their codes.
CREATE TABLE dictionary_item (
  id BIGINT PRIMARY KEY,
  dict_type TEXT {{C}} NOT NULL,           -- gender | residence_status | relation_to_head | unit_kind | scope | assistance
  code TEXT {{C}} NOT NULL,
  label TEXT NOT NULL,                     -- zh-CN
  label_en TEXT NOT NULL DEFAULT '',
  sort_order INTEGER NOT NULL DEFAULT 0,
  enabled INTEGER NOT NULL DEFAULT 1,
  builtin INTEGER NOT NULL DEFAULT 0,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX dictionary_item_code ON dictionary_item (dict_type, code);

-- The lists GET /api/v1/dict returned before this table existed, in the same order.
INSERT INTO dictionary_item
  (id, dict_type, code, label, label_en, sort_order, enabled, builtin, version, created_at, updated_at)
VALUES
  (1, 'gender', 'male', '男', 'male', 10, 1, 1, 1, 0, 0),
  (2, 'gender', 'female', '女', 'female', 20, 1, 1, 1, 0, 0),
  (3, 'residence_status', 'both', '户在人在', 'registered and living here', 10, 1, 1, 1, 0, 0),
  (4, 'residence_status', 'resident_only', '人在户不在', 'living here, registered elsewhere', 20, 1, 1, 1, 0, 0),
  (5, 'residence_status', 'registered_only', '户在人不在', 'registered here, living elsewhere', 30, 1, 1, 1, 0, 0),
  (6, 'relation_to_head', '户主', '户主', 'head of household', 10, 1, 1, 1, 0, 0),
  (7, 'relation_to_head', '配偶', '配偶', 'spouse', 20, 1, 1, 1, 0, 0),
  (8, 'relation_to_head', '子', '子', 'son', 30, 1, 1, 1, 0, 0),
  (9, 'relation_to_head', '女', '女', 'daughter', 40, 1, 1, 1, 0, 0),
  (10, 'relation_to_head', '父亲', '父亲', 'father', 50, 1, 1, 1, 0, 0),
  (11, 'relation_to_head', '母亲', '母亲', 'mother', 60, 1, 1, 1, 0, 0),
  (12, 'relation_to_head', '孙子', '孙子', 'grandson', 70, 1, 1, 1, 0, 0),
  (13, 'relation_to_head', '孙女', '孙女', 'granddaughter', 80, 1, 1, 1, 0, 0),
  (14, 'relation_to_head', '兄弟姐妹', '兄弟姐妹', 'sibling', 90, 1, 1, 1, 0, 0),
  (15, 'relation_to_head', '其他', '其他', 'other', 100, 1, 1, 1, 0, 0),
  (16, 'unit_kind', 'city', '市', 'city', 10, 1, 1, 1, 0, 0),
  (17, 'unit_kind', 'street', '街道', 'street', 20, 1, 1, 1, 0, 0),
  (18, 'unit_kind', 'community', '社区', 'community', 30, 1, 1, 1, 0, 0),
  (19, 'unit_kind', 'grid', '网格', 'grid', 40, 1, 1, 1, 0, 0),
  (20, 'unit_kind', 'micro_grid', '微网格', 'micro-grid', 50, 1, 1, 1, 0, 0),
  (21, 'scope', 'capture', '管理', 'capture', 10, 1, 1, 1, 0, 0),
  (22, 'scope', 'view', '查看', 'view', 20, 1, 1, 1, 0, 0),
  (23, 'scope', 'search', '查询', 'search', 30, 1, 1, 1, 0, 0),
  (24, 'assistance', 'subsistence_allowance', '低保', 'subsistence allowance', 10, 1, 1, 1, 0, 0),
  (25, 'assistance', 'near_poverty', '低边', 'near poverty', 20, 1, 1, 1, 0, 0),
  (26, 'assistance', 'extreme_poverty', '特困', 'extreme poverty', 30, 1, 1, 1, 0, 0);
