import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login, visitorSession } from '../helpers/api.js';
import { eventually } from '../helpers/browser.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

/**
 * The learning loop over the public API: agents correct intents, an admin retrains a version
 * from the corrections, tries it as a shadow (predicts, never routes), promotes it, and it
 * routes; a corrupt upload on the way is refused while the active model keeps serving.
 */
describe('intent corrections → retrained model → shadow → active', () => {
  let server: RunningServer;
  let admin: ReturnType<typeof api>;
  let token: string;
  const sockets: WsClient[] = [];

  async function customerSays(body: string): Promise<string> {
    const v = await visitorSession(server.url, server.websiteToken);
    const ws = await WsClient.connect(server.wsUrl, v.token);
    sockets.push(ws);
    const ack = await ws.request({ type: 'message.send', clientId: 'c1', body }, (f) => f.type === 'message.ack');
    return ack.message.conversationId;
  }

  const classified = (id: string) =>
    eventually(async () => {
      const c = (await admin.get(`/api/v1/conversations/${id}`)).body;
      return c.intent !== null || c.triage ? c : undefined;
    }, `classification of ${id}`);

  const model = async (id: string) => (await admin.get(`/api/v1/intent/models/${id}`)).body;

  beforeAll(async () => {
    server = await startServer({ env: { SESSION_RATE_PER_MINUTE: '1000' } });
    token = await login(server.url, server.adminEmail, server.adminPassword);
    admin = api(server.url, token);
  });

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await server?.stop();
  });

  let retrained: string;

  it('refuses to retrain before there is a correction', async () => {
    const res = await admin.post('/api/v1/intent/models/retrain', {});
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('SB_ERR_VALIDATION');
  });

  it('learns an intent the shipped model does not know from agents’ corrections', async () => {
    const examples = [
      'my blender broke after two weeks, is it still under warranty?',
      'the kettle stopped working, I want to make a warranty claim',
      'does the warranty cover a cracked screen on the tablet',
      'how do I claim the two year warranty for my vacuum cleaner',
      'warranty repair request: the toaster no longer heats',
    ];
    for (const text of examples) {
      const id = await customerSays(text);
      await classified(id);
      const res = await admin.put(`/api/v1/conversations/${id}/intent`, { intent: 'warranty' });
      expect(res.status).toBe(200);
    }
    const res = await admin.post('/api/v1/intent/models/retrain', { name: 'with warranty' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'with warranty', kind: 'linear', mode: 'inactive', training: { feedbackRows: 5 } });
    expect(res.body.training.shippedRows).toBeGreaterThan(100);
    expect(res.body.labels).toContain('warranty');
    expect(res.body.labels).toContain('order_status');
    retrained = res.body.id;
    expect((await admin.get('/api/v1/intent/labels')).body.items).not.toContain('warranty');
  });

  it('as a shadow it predicts beside the shipped model without routing; agreement shows per version', async () => {
    expect((await admin.patch(`/api/v1/intent/models/${retrained}`, { mode: 'shadow' })).body.mode).toBe('shadow');
    const id = await customerSays('is my broken coffee machine covered by the warranty?');
    const c = await classified(id);
    expect(c.intent).not.toBe('warranty');
    await eventually(async () => (await model(retrained)).stats.predictions >= 1, 'shadow prediction');
    expect((await model(retrained)).stats.routed).toBe(0);

    await admin.put(`/api/v1/conversations/${id}/intent`, { intent: 'warranty' });
    const [shadow, shipped] = [await model(retrained), await model('default')];
    expect(shadow.stats).toMatchObject({ feedback: 1, agreed: 1, agreement: 1 });
    expect(shipped.stats.agreement).toBeLessThan(1);
    const metrics = (await api(server.url).get('/metrics')).body as string;
    expect(metrics).toMatch(new RegExp(`sb_intent_feedback_total\\{model="${retrained}",agree="true"\\} 1`));
    expect(metrics).toMatch(new RegExp(`sb_intent_predictions_total\\{model="${retrained}",role="shadow"\\} [1-9]`));
  });

  it('once active it routes, and a corrupt upload is refused while it keeps serving', async () => {
    expect((await admin.patch(`/api/v1/intent/models/${retrained}`, { mode: 'active' })).body.mode).toBe('active');
    const team = (await admin.post('/api/v1/teams', { name: 'Repairs' })).body.id;
    await admin.post('/api/v1/intent/rules', { intent: 'warranty', teamId: team });

    const form = new FormData();
    form.append('model.json', new Blob([Buffer.from(JSON.stringify({ format: 'switchboard-intent', version: 1, labels: ['a', 'b'] }))]), 'model.json');
    form.append('model.onnx', new Blob([Buffer.from('this is not a protobuf')]), 'model.onnx');
    const bad = await fetch(`${server.url}/api/v1/intent/models?name=broken`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { code: string; message: string } }).error.message).toMatch(/model\.onnx/);

    const id = await customerSays('my hair dryer died, can I get it fixed under warranty');
    const c = await classified(id);
    expect(c).toMatchObject({ intent: 'warranty', teamId: team });
    expect((await admin.get('/api/v1/intent/labels')).body.items).toContain('warranty');
    expect((await admin.get('/api/v1/intent/models')).body.items.map((m: { name: string }) => m.name)).not.toContain('broken');
  });
});
