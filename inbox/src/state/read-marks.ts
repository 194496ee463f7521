const READ_KEY = (agentId: string) => `sb-inbox-read:${agentId}`;

/** Read marks persist per agent in this browser (not a secret; the session itself is a cookie). */
export function loadReadMarks(agentId: string): Record<string, number> {
  try {
    const raw = localStorage.getItem(READ_KEY(agentId));
    return raw ? (JSON.parse(raw) as Record<string, number>) : {};
  } catch {
    return {};
  }
}

export function saveReadMarks(agentId: string, marks: Record<string, number>): void {
  try {
    localStorage.setItem(READ_KEY(agentId), JSON.stringify(marks));
  } catch {
    // Storage full or blocked: marks live in memory only.
  }
}
