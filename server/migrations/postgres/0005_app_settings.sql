-- Ticket categories offered by the stuck form, per application.
ALTER TABLE apps ADD COLUMN categories TEXT NOT NULL DEFAULT '[]';
