// In-memory storage for the identity provider's short-lived artifacts
// (sessions, interactions, grants, codes, tokens). Everything is lost when
// the process ends, which is what a demo and test identity provider wants.

const now = () => Date.now();

/**
 * Creates an adapter factory for oidc-provider. All models share one store so
 * that grants can revoke the tokens issued under them.
 */
export function createMemoryAdapter() {
  /** @type {Map<string, { payload: object, expiresAt: number }>} */
  const entries = new Map();
  /** @type {Map<string, string>} session uid -> session id */
  const sessionsByUid = new Map();
  /** @type {Map<string, string>} user code -> device code id */
  const byUserCode = new Map();
  /** @type {Map<string, Set<string>>} grant id -> keys of its members */
  const grantMembers = new Map();

  const live = (key) => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.payload;
  };

  // Expired entries are dropped on access and by a periodic sweep.
  const sweep = setInterval(() => {
    const t = now();
    for (const [key, entry] of entries) {
      if (entry.expiresAt <= t) entries.delete(key);
    }
    for (const [uid, id] of sessionsByUid) {
      if (!entries.has(`Session:${id}`)) sessionsByUid.delete(uid);
    }
    for (const [code, id] of byUserCode) {
      if (!entries.has(`DeviceCode:${id}`)) byUserCode.delete(code);
    }
    for (const [grantId, members] of grantMembers) {
      for (const key of members) if (!entries.has(key)) members.delete(key);
      if (members.size === 0) grantMembers.delete(grantId);
    }
  }, 60_000);
  sweep.unref();

  class MemoryAdapter {
    constructor(model) {
      this.model = model;
    }

    key(id) {
      return `${this.model}:${id}`;
    }

    async upsert(id, payload, expiresIn) {
      const key = this.key(id);
      const expiresAt = typeof expiresIn === 'number' ? now() + expiresIn * 1000 : Infinity;
      entries.set(key, { payload, expiresAt });
      if (this.model === 'Session' && payload.uid) sessionsByUid.set(payload.uid, id);
      if (payload.userCode) byUserCode.set(payload.userCode, id);
      if (payload.grantId) {
        let members = grantMembers.get(payload.grantId);
        if (!members) {
          members = new Set();
          grantMembers.set(payload.grantId, members);
        }
        members.add(key);
      }
    }

    async find(id) {
      return live(this.key(id));
    }

    async findByUid(uid) {
      const id = sessionsByUid.get(uid);
      return id === undefined ? undefined : this.find(id);
    }

    async findByUserCode(userCode) {
      const id = byUserCode.get(userCode);
      return id === undefined ? undefined : this.find(id);
    }

    async consume(id) {
      const payload = live(this.key(id));
      if (payload) payload.consumed = Math.floor(now() / 1000);
    }

    async destroy(id) {
      entries.delete(this.key(id));
    }

    async revokeByGrantId(grantId) {
      const members = grantMembers.get(grantId);
      if (!members) return;
      for (const key of members) entries.delete(key);
      grantMembers.delete(grantId);
    }
  }

  return (model) => new MemoryAdapter(model);
}
