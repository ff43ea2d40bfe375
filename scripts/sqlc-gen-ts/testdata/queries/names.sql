-- A file without int8 columns: its module imports only the DBTX type.
-- name: ListActiveNames :many
SELECT name, kind, tags
FROM items
WHERE active
ORDER BY name;
