-- Clients and tags can be archived, as projects can: they leave the pickers
-- and suggestions but stay on what already carries them. Both flags sync.

ALTER TABLE clients ADD COLUMN archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1));
ALTER TABLE tags ADD COLUMN archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1));

DROP TRIGGER sync_clients_update;
CREATE TRIGGER sync_clients_update AFTER UPDATE ON clients
WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.name IS NOT NEW.name OR OLD.archived IS NOT NEW.archived)
BEGIN
    INSERT INTO sync_dirty (kind, row_id, fields) VALUES ('client', NEW.id, rtrim(
        CASE WHEN OLD.name IS NOT NEW.name THEN 'name,' ELSE '' END ||
        CASE WHEN OLD.archived IS NOT NEW.archived THEN 'archived,' ELSE '' END, ','));
END;

-- A tag's global id is its case-folded name, so only its spelling (same
-- key) and its archived flag can change in place; a rename to another key
-- is a new tag, with the entries' tag lists changed.
CREATE TRIGGER sync_tags_update AFTER UPDATE ON tags
WHEN (SELECT applying FROM sync_state) = 0
    AND (OLD.name IS NOT NEW.name OR OLD.archived IS NOT NEW.archived)
BEGIN
    INSERT INTO sync_dirty (kind, row_id, fields) VALUES ('tag', NEW.id, rtrim(
        CASE WHEN OLD.name IS NOT NEW.name THEN 'name,' ELSE '' END ||
        CASE WHEN OLD.archived IS NOT NEW.archived THEN 'archived,' ELSE '' END, ','));
END;
