-- The recording of an answered call on the phone line: its file name in the recordings folder
-- (DATA_DIR/recordings, voice/recordings.hpp), NULL when the call was not recorded (simulated
-- calls, unanswered calls, or a recording since deleted by voice.recording_retention_days —
-- the file is then gone but the name stays, and the API answers 404 saying so).
ALTER TABLE call_attempt ADD COLUMN recording TEXT;
