-- Which strategies failed to find a step's element (element_not_found events): `id:none,css:many`.
ALTER TABLE events ADD COLUMN failed_strategies TEXT;
