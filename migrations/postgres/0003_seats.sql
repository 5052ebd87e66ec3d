-- The connections-per-user limit across instances. Each running instance holds a lease that
-- it renews; each open WebSocket connection holds a seat under its instance. A user's seats
-- count only under live leases, so the seats of an instance that was killed stop counting
-- when its lease runs out, and go with it when an instance clears it.
CREATE TABLE instances (
    instance_id UUID        NOT NULL PRIMARY KEY,
    lease_until TIMESTAMPTZ NOT NULL
);

CREATE TABLE seats (
    seat_id     UUID NOT NULL PRIMARY KEY,
    user_id     UUID NOT NULL,
    instance_id UUID NOT NULL REFERENCES instances (instance_id) ON DELETE CASCADE
);

CREATE INDEX seats_by_user ON seats (user_id);
CREATE INDEX seats_by_instance ON seats (instance_id);
