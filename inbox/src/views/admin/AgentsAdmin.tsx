import { useState } from 'preact/hooks';
import { api } from '../../api/endpoints.js';
import { describeError } from '../../api/http.js';
import { useInbox } from '../../context.js';

/** Agents (list, create) and teams (create, membership). */
export function AgentsAdmin() {
  const [s, ctl] = useInbox();
  const [form, setForm] = useState({ name: '', email: '', password: '', role: 'agent' });
  const [team, setTeam] = useState('');
  const [error, setError] = useState<string | null>(null);
  const field = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      await ctl.loadDirectory();
      return true;
    } catch (err) {
      setError(describeError(err));
      return false;
    }
  };
  const toggleMember = (teamId: string, agentId: string, on: boolean) => {
    const members = s.agents.filter((a) => (a.id === agentId ? on : a.teamIds.includes(teamId))).map((a) => a.id);
    void run(() => api.setTeamMembers(teamId, members));
  };
  return (
    <section aria-labelledby="agents-title">
      <h2 id="agents-title">Agents</h2>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>Role</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {s.agents.map((a) => (
            <tr key={a.id}>
              <td>{a.name}</td>
              <td>{a.email}</td>
              <td>{a.role}</td>
              <td>{s.away.includes(a.id) ? 'Away' : s.online.includes(a.id) ? 'Online' : 'Offline'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        class="stack"
        aria-label="New agent"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await run(() => api.createAgent(form))) setForm({ name: '', email: '', password: '', role: 'agent' });
        }}
      >
        <h3>New agent</h3>
        <label>
          Name
          <input value={form.name} onInput={field('name')} required />
        </label>
        <label>
          Email
          <input type="email" value={form.email} onInput={field('email')} required />
        </label>
        <label>
          Password
          <input type="password" minLength={8} value={form.password} onInput={field('password')} required />
        </label>
        <label>
          Role
          <select value={form.role} onChange={field('role')}>
            <option value="agent">Agent</option>
            <option value="admin">Admin</option>
          </select>
        </label>
        <button type="submit">Add agent</button>
      </form>
      <h2>Teams</h2>
      {s.teams.map((t) => (
        <fieldset key={t.id}>
          <legend>{t.name}</legend>
          {s.agents.map((a) => (
            <label key={a.id} class="check">
              <input type="checkbox" checked={a.teamIds.includes(t.id)} onChange={(e) => toggleMember(t.id, a.id, e.currentTarget.checked)} />
              {a.name}
            </label>
          ))}
        </fieldset>
      ))}
      <form
        class="stack"
        aria-label="New team"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await run(() => api.createTeam(team.trim()))) setTeam('');
        }}
      >
        <label>
          Team name
          <input value={team} onInput={(e) => setTeam(e.currentTarget.value)} required />
        </label>
        <button type="submit">Add team</button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </section>
  );
}
