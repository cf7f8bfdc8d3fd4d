-- A pending change may carry a personal value: a new phone number keyed in during a call
-- (campaign field "phone"). Its plain value is never stored: `value` holds it masked (shown to
-- reviewers and in the change log) and `value_sealed` holds it sealed by the PII vault under the
-- registry's phone field, opened only when a reviewer accepts the change.
ALTER TABLE pending_change ADD COLUMN value_sealed TEXT;
