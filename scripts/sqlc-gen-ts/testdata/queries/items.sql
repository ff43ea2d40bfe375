-- Named parameters; sqlc.narg makes a parameter nullable whatever its column says.
-- name: InsertItem :one
INSERT INTO items (sku, name, note, kind, stock, rating, weight, price, attrs, tags, related, photo,
                   external_id, released_on)
VALUES (sqlc.arg(sku), sqlc.arg(name), sqlc.narg(note), sqlc.arg(kind), sqlc.arg(stock),
        sqlc.narg(rating), sqlc.narg(weight), sqlc.arg(price), sqlc.narg(attrs), sqlc.arg(tags),
        sqlc.narg(related), sqlc.narg(photo), sqlc.narg(external_id), sqlc.narg(released_on))
RETURNING id, created_at;

-- A positional parameter takes the name of the column it is compared with.
-- name: GetItem :one
SELECT * FROM items
WHERE id = $1;

-- name: ListItemsBySkus :many
SELECT id, sku, name, note
FROM items
WHERE sku = ANY(sqlc.arg(skus)::bigint[])
ORDER BY sku;

-- Two parameters compared with the same column get the same name from sqlc.
-- name: ListIdsBetween :many
SELECT id FROM items
WHERE id >= $1 AND id <= $2
ORDER BY id;

-- name: ListCreatedAfter :many
SELECT id, created_at FROM items
WHERE created_at > sqlc.arg(after)::timestamptz
ORDER BY id;

-- name: SetActive :execrows
UPDATE items
SET active = sqlc.arg(active)
WHERE id = ANY(sqlc.arg(ids)::bigint[]);

-- name: SetNote :exec
UPDATE items
SET note = sqlc.narg(note)
WHERE id = sqlc.arg(id);

-- A query named like a reserved word, a parameter sqlc cannot name, an unnamed column.
-- name: Delete :execrows
DELETE FROM items
WHERE stock < $1::integer + 0;

-- name: Summary :one
SELECT count(*) AS total, max(price) AS max_price, sum(stock), 1 + 1
FROM items;

-- name: DeleteAll :exec
DELETE FROM items;
