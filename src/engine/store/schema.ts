/**
 * The store's SQLite schema. berth.db is the one source of truth (DESIGN §3):
 * a directory or blob without a row is garbage that reconciliation removes,
 * never data. Changing a table needs a new entry in MIGRATIONS; the index of
 * the last applied one is kept in `PRAGMA user_version`.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE blobs (
    digest     TEXT PRIMARY KEY,           -- sha256:<hex>, file blobs/sha256/<hex>
    size       INTEGER NOT NULL,
    media_type TEXT NOT NULL
  );
  -- A layer is unpacked once per ChainID into overlay/<chain hex>/diff.
  CREATE TABLE layers (
    chain_id   TEXT PRIMARY KEY,
    diff_id    TEXT NOT NULL,
    parent     TEXT REFERENCES layers(chain_id),
    size       INTEGER NOT NULL,           -- bytes of file content in diff/
    link       TEXT NOT NULL UNIQUE        -- short name under overlay/l/
  );
  -- Image ID = sha256 of the config blob.
  CREATE TABLE images (
    id         TEXT PRIMARY KEY,
    created    TEXT,                       -- from the config, ISO 8601
    size       INTEGER NOT NULL,           -- sum of layer sizes
    parent     TEXT,                       -- image this one was committed/built from
    loaded_at  INTEGER NOT NULL            -- ms since epoch
  );
  CREATE TABLE image_layers (
    image_id   TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,           -- 0 = base
    chain_id   TEXT NOT NULL REFERENCES layers(chain_id),
    blob       TEXT NOT NULL REFERENCES blobs(digest),
    PRIMARY KEY (image_id, position)
  );
  CREATE INDEX image_layers_chain ON image_layers(chain_id);
  CREATE INDEX image_layers_blob ON image_layers(blob);
  -- Fully qualified references: docker.io/library/busybox:latest
  CREATE TABLE tags (
    name       TEXT PRIMARY KEY,
    image_id   TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    tagged_at  INTEGER NOT NULL
  );
  CREATE INDEX tags_image ON tags(image_id);
  CREATE TABLE repo_digests (
    name       TEXT PRIMARY KEY,           -- docker.io/library/busybox@sha256:…
    image_id   TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
  );
  `,
  `
  -- A container: Docker's Config and HostConfig as JSON (mirrored to
  -- containers/<id>/config.json and hostconfig.json), and its state.
  CREATE TABLE containers (
    id          TEXT PRIMARY KEY,         -- 64 hex digits
    name        TEXT NOT NULL UNIQUE,     -- without Docker's leading slash
    image_id    TEXT NOT NULL REFERENCES images(id),
    image_name  TEXT NOT NULL,            -- as the user named it (busybox)
    created     TEXT NOT NULL,            -- ISO 8601
    config      TEXT NOT NULL,
    host_config TEXT NOT NULL,
    status      TEXT NOT NULL,            -- created|running|paused|restarting|removing|exited|dead
    pid         INTEGER NOT NULL DEFAULT 0,   -- host pid of PID 1 while running
    shim_pid    INTEGER NOT NULL DEFAULT 0,
    exit_code   INTEGER NOT NULL DEFAULT 0,
    oom_killed  INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    started_at  TEXT NOT NULL DEFAULT '0001-01-01T00:00:00Z',
    finished_at TEXT NOT NULL DEFAULT '0001-01-01T00:00:00Z',
    restart_count INTEGER NOT NULL DEFAULT 0,
    stopped_by_user INTEGER NOT NULL DEFAULT 0  -- for unless-stopped
  );
  CREATE INDEX containers_image ON containers(image_id);
  `,
  `
  -- Networks: the default bridge and user-defined ones (one Linux bridge each).
  CREATE TABLE networks (
    id        TEXT PRIMARY KEY,           -- 64 hex digits
    name      TEXT NOT NULL UNIQUE,
    driver    TEXT NOT NULL,              -- bridge|host|null
    bridge    TEXT NOT NULL DEFAULT '',   -- Linux bridge device
    subnet    TEXT NOT NULL DEFAULT '',   -- 10.47.0.0/16
    gateway   TEXT NOT NULL DEFAULT '',
    internal  INTEGER NOT NULL DEFAULT 0,
    labels    TEXT NOT NULL DEFAULT '{}',
    created   TEXT NOT NULL
  );
  -- A container's attachment to a network; address is its lease, held only
  -- while the container runs (NULL otherwise), never handed out twice.
  CREATE TABLE endpoints (
    container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    network_id   TEXT NOT NULL REFERENCES networks(id),
    aliases      TEXT NOT NULL DEFAULT '[]',
    address      TEXT,
    interface    TEXT NOT NULL DEFAULT '',   -- host end of the veth while running
    PRIMARY KEY (container_id, network_id),
    UNIQUE (network_id, address)
  );
  CREATE INDEX endpoints_network ON endpoints(network_id);
  -- Published ports as bound at start (-P picks host ports then).
  ALTER TABLE containers ADD COLUMN ports TEXT NOT NULL DEFAULT '{}';
  `,
  `
  -- Bridges being made, completed or torn down (networks/intents.ts): a row is
  -- written before the host is touched and deleted in the transaction that
  -- commits the outcome, so one left behind names what a killed process left.
  CREATE TABLE bridge_intents (
    id           INTEGER PRIMARY KEY,
    bridge       TEXT NOT NULL,
    subnet       TEXT NOT NULL,
    gateway_cidr TEXT NOT NULL,           -- 10.47.0.1/16
    internal     INTEGER NOT NULL
  );
  `,
];

