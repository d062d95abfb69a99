// The official TypeScript SDK of the Message Batches API (npm
// @anthropic-ai/sdk), unchanged, against `osid-batch serve`: only its
// baseURL points here. Run by meson test (suite http) with OSID_BATCH set
// to the built osid-batch; skipped (exit 77) when the SDK is not installed
// (scripts/install-deps --tests installs it).

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

let Anthropic;
try {
    Anthropic = (await import('@anthropic-ai/sdk')).default;
} catch {
    console.log('skipped: @anthropic-ai/sdk is not installed (npm install in tests/sdk)');
    process.exit(77);
}

const osidBatch = process.env.OSID_BATCH;
if (!osidBatch) {
    console.error('OSID_BATCH must name the osid-batch binary');
    process.exit(1);
}

// Starts `osid-batch serve` on a free loopback port over a fresh store;
// resolves with {url, process}.
function startServer(dir, extra = []) {
    return new Promise((resolve, reject) => {
        const child = spawn(osidBatch, ['--store', join(dir, 'batches.db'), 'serve', '--listen', '127.0.0.1:0', ...extra],
            { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (chunk) => {
            out += chunk;
            const match = out.match(/serving on (http:\/\/\S+)/);
            if (match)
                resolve({ url: match[1], process: child });
        });
        child.stderr.on('data', () => {});
        child.on('exit', (code) => reject(new Error(`osid-batch serve exited with ${code}: ${out}`)));
    });
}

// Stops a server with SIGTERM; resolves with its exit code.
function stopServer(server) {
    return new Promise((resolve) => {
        server.process.removeAllListeners('exit');
        server.process.on('exit', (code) => resolve(code));
        server.process.kill('SIGTERM');
    });
}

function requests(n, prefix = 'r') {
    return Array.from({ length: n }, (_, i) => ({
        custom_id: `${prefix}-${i}`,
        params: { subject: `Subject ${i}`, text: 'Text', sender: 'resource.Resource:s@test', sent_time: '2026-11-01T09:00:00Z' },
    }));
}

async function waitEnded(batches, id) {
    for (let i = 0; i < 2000; ++i) {
        const batch = await batches.retrieve(id);
        if (batch.processing_status === 'ended')
            return batch;
        await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`batch ${id} did not end`);
}

const dirs = [];
function scratch() {
    const dir = mkdtempSync(join(tmpdir(), 'osid-batch-sdk-'));
    dirs.push(dir);
    return dir;
}

describe('osid-batch serve with the official SDK', () => {
    let server, client;
    before(async () => {
        server = await startServer(scratch());
        client = new Anthropic({ apiKey: 'not-checked', baseURL: server.url, maxRetries: 0 });
    });
    after(async () => {
        assert.equal(await stopServer(server), 0, 'serve exits 0 on SIGTERM');
        for (const dir of dirs)
            rmSync(dir, { recursive: true, force: true });
    });

    for (const [name, batchesOf] of [['messages.batches', (c) => c.messages.batches],
                                     ['beta.messages.batches', (c) => c.beta.messages.batches]]) {
        test(`${name}: create, retrieve, results, delete`, async () => {
            const batches = batchesOf(client);
            const all = requests(5);
            all[2].params.subject = 42; // errored: a bad params value fails its request alone
            const created = await batches.create({ requests: all });
            assert.equal(created.type, 'message_batch');
            assert.equal(created.processing_status, 'in_progress');
            assert.equal(created.results_url, null);
            assert.equal(created.request_counts.processing, 5);

            const ended = await waitEnded(batches, created.id);
            assert.deepEqual(ended.request_counts, { processing: 0, succeeded: 4, errored: 1, canceled: 0, expired: 0 });
            assert.ok(ended.results_url.startsWith(server.url));
            assert.ok(ended.ended_at);

            const seen = new Map();
            for await (const line of await batches.results(created.id))
                seen.set(line.custom_id, line.result);
            assert.equal(seen.size, 5);
            assert.equal(seen.get('r-0').type, 'succeeded');
            assert.equal(seen.get('r-0').message.subject, 'Subject 0');
            assert.equal(seen.get('r-2').type, 'errored');
            assert.equal(seen.get('r-2').error.type, 'error');
            assert.equal(seen.get('r-2').error.error.type, 'invalid_request_error');

            const deleted = await batches.delete(created.id);
            assert.deepEqual(deleted, { id: created.id, type: 'message_batch_deleted' });
            await assert.rejects(batches.retrieve(created.id), (e) => e instanceof Anthropic.NotFoundError);
        });
    }

    test('list pages newest first, by hand and with auto-pagination, both ways', async () => {
        const ids = [];
        for (let i = 0; i < 5; ++i)
            ids.push((await client.messages.batches.create({ requests: requests(1, `page${i}`) })).id);
        const first = await client.messages.batches.list({ limit: 2 });
        assert.deepEqual(first.data.map((b) => b.id), [ids[4], ids[3]]);
        assert.equal(first.has_more, true);
        assert.equal(first.first_id, ids[4]);
        assert.equal(first.last_id, ids[3]);

        // for await walks every page forwards (after_id = last_id).
        const walked = [];
        for await (const batch of client.messages.batches.list({ limit: 2 }))
            walked.push(batch.id);
        assert.deepEqual(walked.slice(0, 5), [ids[4], ids[3], ids[2], ids[1], ids[0]]);

        // Backwards from the oldest (before_id = first_id).
        const back = [];
        for await (const batch of client.beta.messages.batches.list({ limit: 2, before_id: ids[0] }))
            back.push(batch.id);
        assert.deepEqual(new Set(back), new Set([ids[1], ids[2], ids[3], ids[4]]));
    });

    test('errors come as the SDK\'s error classes, with the request id', async () => {
        const missing = await client.messages.batches.retrieve('msgbatch_nope').catch((e) => e);
        assert.ok(missing instanceof Anthropic.NotFoundError);
        assert.equal(missing.status, 404);
        assert.equal(missing.error.error.type, 'not_found_error');
        assert.ok(missing.requestID.startsWith('req_'));

        const duplicate = requests(2);
        duplicate[1].custom_id = duplicate[0].custom_id;
        const refused = await client.messages.batches.create({ requests: duplicate }).catch((e) => e);
        assert.ok(refused instanceof Anthropic.BadRequestError);
        assert.equal(refused.error.error.type, 'invalid_request_error');
        assert.match(refused.error.error.message, /requests\.1/);

        const ended = await waitEnded(client.messages.batches,
            (await client.messages.batches.create({ requests: requests(1, 'cancel') })).id);
        const late = await client.messages.batches.cancel(ended.id).catch((e) => e);
        assert.ok(late instanceof Anthropic.BadRequestError);
    });

    test('with --api-keys: the SDK\'s apiKey is checked; a wrong one is an AuthenticationError', async () => {
        const dir = scratch();
        const keyFile = join(dir, 'server.keys');
        const key = execFileSync(osidBatch, ['keys', 'add', 'sdk', '--file', keyFile], { stdio: ['ignore', 'pipe', 'ignore'] })
            .toString().trim();
        const keyed = await startServer(dir, ['--api-keys', keyFile]);
        try {
            const good = new Anthropic({ apiKey: key, baseURL: keyed.url, maxRetries: 0 });
            const created = await good.messages.batches.create({ requests: requests(2) });
            assert.equal((await good.messages.batches.retrieve(created.id)).id, created.id);
            const bad = new Anthropic({ apiKey: 'osk_wrong', baseURL: keyed.url, maxRetries: 0 });
            const refused = await bad.messages.batches.retrieve(created.id).catch((e) => e);
            assert.ok(refused instanceof Anthropic.AuthenticationError);
            assert.equal(refused.status, 401);
            assert.equal(refused.error.error.type, 'authentication_error');
            const bearer = new Anthropic({ apiKey: null, authToken: key, baseURL: keyed.url, maxRetries: 0 });
            assert.equal((await bearer.messages.batches.retrieve(created.id)).id, created.id);
        } finally {
            assert.equal(await stopServer(keyed), 0);
        }
    });

    test('a running batch: delete and results are refused; cancel answers canceling (or ended, when no process works on it)', async () => {
        // A second server that only serves: nothing processes its batches.
        const idle = await startServer(scratch(), ['--no-process']);
        try {
            const c = new Anthropic({ apiKey: 'not-checked', baseURL: idle.url, maxRetries: 0 });
            const created = await c.messages.batches.create({ requests: requests(3) });
            await assert.rejects(c.messages.batches.delete(created.id), (e) => e instanceof Anthropic.BadRequestError);
            await assert.rejects(c.messages.batches.results(created.id), /results_url/);
            const canceled = await c.messages.batches.cancel(created.id);
            assert.ok(['canceling', 'ended'].includes(canceled.processing_status));
            assert.ok(canceled.cancel_initiated_at);
        } finally {
            assert.equal(await stopServer(idle), 0);
        }
    });
});
