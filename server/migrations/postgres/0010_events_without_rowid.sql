-- SQLite only (its events table becomes WITHOUT ROWID); PostgreSQL tables have no rowid B-tree, so
-- the number is kept in step with the SQLite folder and nothing changes here.
SELECT 1;
