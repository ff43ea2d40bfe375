-- name: GetStock :one
SELECT sku, total_count, reserved
FROM stocks
WHERE sku = sqlc.arg(sku);

-- Reserves only if enough is available. Under READ COMMITTED a concurrent update of the same row
-- makes Postgres re-check the WHERE against the committed row, so no interleaving oversells.
-- name: ReserveStock :execrows
UPDATE stocks
SET reserved = reserved + sqlc.arg(count)::bigint
WHERE sku = sqlc.arg(sku) AND total_count - reserved >= sqlc.arg(count)::bigint;

-- name: ReleaseStock :execrows
UPDATE stocks
SET reserved = reserved - sqlc.arg(count)::bigint
WHERE sku = sqlc.arg(sku) AND reserved >= sqlc.arg(count)::bigint;

-- Payment ships the reserved units: they leave both the reservation and the total.
-- name: ShipReservedStock :execrows
UPDATE stocks
SET reserved = reserved - sqlc.arg(count)::bigint,
    total_count = total_count - sqlc.arg(count)::bigint
WHERE sku = sqlc.arg(sku)
  AND reserved >= sqlc.arg(count)::bigint
  AND total_count >= sqlc.arg(count)::bigint;

-- Inserts seed rows; existing SKUs are left alone.
-- name: InsertStocks :exec
INSERT INTO stocks (sku, total_count, reserved)
SELECT unnest(sqlc.arg(skus)::bigint[]),
       unnest(sqlc.arg(totals)::bigint[]),
       unnest(sqlc.arg(reserved)::bigint[])
ON CONFLICT (sku) DO NOTHING;

-- Returns 1 the first time a seed name is claimed, 0 ever after.
-- name: ClaimSeed :execrows
INSERT INTO seed_runs (name)
VALUES (sqlc.arg(name))
ON CONFLICT (name) DO NOTHING;
