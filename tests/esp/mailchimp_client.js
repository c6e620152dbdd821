// tests/esp/mailchimp_client.js -- Mailchimp's OFFICIAL Node client
// (@mailchimp/mailchimp_marketing) against tests/esp/mailchimp_fake.py, for
// every endpoint camp's driver (runtime/esp_mailchimp.c) calls, checking the
// answers' shapes: if the official client can't use the fake, the fake is wrong.
//
//   node tests/esp/mailchimp_client.js http://127.0.0.1:PORT KEY NODE_MODULES_DIR
//
// Prints one line per check and ends with "N passed, N failed" (exit 1 on a failure).
'use strict';
const path = require('path');
const http = require('http');

const [base, key, modules] = process.argv.slice(2);
const mailchimp = require(path.join(modules, '@mailchimp/mailchimp_marketing'));
// The client builds https://server.api.mailchimp.com/3.0 and swaps "server" for
// config.server; pointing its one ApiClient instance at the fake is its own knob.
mailchimp.basePath = base + '/3.0';
mailchimp.setConfig({ apiKey: key, server: 'us1' });

let passed = 0, failed = 0;
function check(what, ok, detail) {
  if (ok) passed++;
  else failed++;
  console.log((ok ? 'ok   ' : 'FAIL ') + what + (ok || detail === undefined ? '' : ': ' + detail));
}

// shape(value, spec): '' string, 0 number, true boolean, [spec] array of spec,
// {k: spec} object having at least those keys; returns the first mismatch or null.
function shape(v, spec, at = '') {
  if (Array.isArray(spec)) {
    if (!Array.isArray(v)) return at + ' is not an array';
    for (let i = 0; i < v.length; i++) { const e = shape(v[i], spec[0], at + '[' + i + ']'); if (e) return e; }
    return null;
  }
  if (spec !== null && typeof spec === 'object') {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return (at || 'answer') + ' is not an object';
    for (const k of Object.keys(spec)) {
      if (!(k in v)) return (at || 'answer') + ' has no ' + k;
      const e = shape(v[k], spec[k], at + '.' + k); if (e) return e;
    }
    return null;
  }
  return typeof v === typeof spec ? null : at + ' is ' + typeof v + ', expected ' + typeof spec;
}

async function call(what, fn, spec) {
  try {
    const r = await fn();
    const e = spec === undefined ? null : shape(r, spec);
    check(what, !e, e);
    return r;
  } catch (err) {
    check(what, false, (err.status || '') + ' ' + JSON.stringify(err.response ? err.response.body : String(err)));
    return null;
  }
}

async function refused(what, status, fn, title) {
  try {
    await fn();
    check(what, false, 'no error');
  } catch (err) {
    const b = err.response && err.response.body;
    const e = shape(b, { type: '', title: '', status: 0, detail: '', instance: '' });
    check(what, err.status === status && !e && (!title || b.title === title),
          err.status + ' ' + JSON.stringify(b));
  }
}

function control(p, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body || {});
    const u = new URL(base + p);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } }, res => {
      let s = ''; res.on('data', c => s += c); res.on('end', () => resolve(JSON.parse(s || '{}')));
    });
    req.on('error', reject); req.end(data);
  });
}

const MEMBER = { id: '', email_address: '', unique_email_id: '', status: '', merge_fields: {}, last_changed: '',
  list_id: '', timestamp_opt: '' };
const SEGMENT = { id: 0, name: '', member_count: 0, type: '', created_at: '', updated_at: '', list_id: '' };
const MERGE = { merge_id: 0, tag: '', name: '', type: '', list_id: '' };
const CAMPAIGN = { id: '', type: '', status: '', send_time: '', emails_sent: 0, create_time: '',
  recipients: { list_id: '', segment_opts: {} }, settings: { subject_line: '', title: '', from_name: '', reply_to: '' } };
const ABUSE = { id: 0, campaign_id: '', list_id: '', email_id: '', email_address: '', date: '' };

async function main() {
  const L = 'a1b2c3d4e5';
  await control('/_fake/audiences', { id: L, name: 'Newsletter' });
  await control('/_fake/clock', { now: '2026-03-20T09:00:00+00:00' });

  await call('ping.get', () => mailchimp.ping.get(), { health_status: '' });
  await call('lists.getList', () => mailchimp.lists.getList(L),
    { id: '', name: '', stats: { member_count: 0, unsubscribe_count: 0, cleaned_count: 0 } });
  await refused('lists.getList unknown audience -> 404', 404, () => mailchimp.lists.getList('nope'), 'Resource Not Found');

  const mf = await call('lists.getListMergeFields', () => mailchimp.lists.getListMergeFields(L, { count: 1000 }),
    { merge_fields: [MERGE], list_id: '', total_items: 0 });
  check('default merge fields FNAME, LNAME', mf && mf.merge_fields.some(f => f.tag === 'FNAME') &&
        mf.merge_fields.some(f => f.tag === 'LNAME'));
  await call('lists.addListMergeField', () => mailchimp.lists.addListMergeField(L, { name: 'CITY', type: 'text', tag: 'E_CITY' }),
    MERGE);
  await refused('lists.addListMergeField duplicate tag -> 400', 400,
    () => mailchimp.lists.addListMergeField(L, { name: 'CITY', type: 'text', tag: 'E_CITY' }));

  const seg = await call('lists.createSegment', () => mailchimp.lists.createSegment(L, { name: 'camp newsletter', static_segment: [] }),
    SEGMENT);
  const sid = seg ? seg.id : 0;
  await call('lists.listSegments', () => mailchimp.lists.listSegments(L, { type: 'static', count: 1000, offset: 0 }),
    { segments: [SEGMENT], list_id: '', total_items: 0 });
  await call('lists.getSegment', () => mailchimp.lists.getSegment(L, sid), SEGMENT);

  const members = [];
  for (let i = 0; i < 12; i++) members.push({ email_address: `m${i}@example.com`, status: 'subscribed', merge_fields: { FNAME: `M${i}` } });
  members.push({ email_address: 'not-an-address', status: 'subscribed' });
  const b = await call('lists.batchListMembers', () => mailchimp.lists.batchListMembers(L, { members, update_existing: true }),
    { new_members: [MEMBER], updated_members: [MEMBER], errors: [{ email_address: '', error: '', error_code: '' }],
      total_created: 0, total_updated: 0, error_count: 0 });
  check('batch: 12 created, 1 error', b && b.total_created === 12 && b.error_count === 1, b && JSON.stringify(b.errors));
  const b2 = await call('lists.batchListMembers update', () => mailchimp.lists.batchListMembers(L,
    { members: [{ email_address: 'm0@example.com', status: 'subscribed', merge_fields: { FNAME: 'Zero' } }], update_existing: true }));
  check('batch update: 1 updated', b2 && b2.total_updated === 1 && b2.updated_members[0].merge_fields.FNAME === 'Zero');
  await refused('lists.batchListMembers 501 members -> 400', 400, () => mailchimp.lists.batchListMembers(L,
    { members: Array.from({ length: 501 }, (_, i) => ({ email_address: `x${i}@example.com`, status: 'subscribed' })) }));

  const add = members.slice(0, 12).map(m => m.email_address);
  const sb = await call('lists.batchSegmentMembers', () => mailchimp.lists.batchSegmentMembers(
    { members_to_add: add.concat(['stranger@example.com']), members_to_remove: [] }, L, sid),
    { members_added: [MEMBER], members_removed: [], errors: [{ email_addresses: [''], error: '' }], total_added: 0,
      total_removed: 0, error_count: 0 });
  check('segment batch: 12 added, 1 error', sb && sb.total_added === 12 && sb.error_count === 1);
  await refused('lists.batchSegmentMembers 501 -> 400', 400, () => mailchimp.lists.batchSegmentMembers(
    { members_to_add: Array.from({ length: 501 }, (_, i) => `x${i}@example.com`) }, L, sid));
  const p1 = await call('lists.getSegmentMembersList page 1', () => mailchimp.lists.getSegmentMembersList(L, sid,
    { count: 10, offset: 0, include_unsubscribed: true, include_cleaned: true }), { members: [MEMBER], total_items: 0 });
  const p2 = await call('lists.getSegmentMembersList page 2', () => mailchimp.lists.getSegmentMembersList(L, sid,
    { count: 10, offset: 10, include_unsubscribed: true, include_cleaned: true }), { members: [MEMBER], total_items: 0 });
  const pf = await call('lists.getSegmentMembersList fields=', () => mailchimp.lists.getSegmentMembersList(L, sid,
    { count: 1000, fields: ['members.email_address', 'members.status', 'total_items'] }), { members: [{ email_address: '', status: '' }], total_items: 0 });
  check('fields: only the keys asked for', pf && Object.keys(pf).sort().join() === 'members,total_items' &&
        Object.keys(pf.members[0]).sort().join() === 'email_address,status', pf && JSON.stringify(pf.members[0]));
  check('segment paging: 10 + 2 of 12', p1 && p2 && p1.members.length === 10 && p2.members.length === 2 && p1.total_items === 12);

  const h = require('crypto').createHash('md5').update('m1@example.com').digest('hex');
  await call('lists.getListMember', () => mailchimp.lists.getListMember(L, h), MEMBER);
  await call('lists.updateListMember (PATCH)', () => mailchimp.lists.updateListMember(L, h, { merge_fields: { FNAME: 'One' } }), MEMBER);
  await call('lists.setListMember (PUT)', () => mailchimp.lists.setListMember(L, h,
    { email_address: 'm1@example.com', status_if_new: 'subscribed', status: 'unsubscribed' }), MEMBER);
  const h2 = require('crypto').createHash('md5').update('m2@example.com').digest('hex');
  await call('lists.deleteListMember', () => mailchimp.lists.deleteListMember(L, h2));
  await refused('lists.getListMember unknown -> 404', 404, () => mailchimp.lists.getListMember(L, '0'.repeat(32)));
  await call('lists.batchSegmentMembers remove', () => mailchimp.lists.batchSegmentMembers(
    { members_to_add: [], members_to_remove: ['m2@example.com'] }, L, sid), { total_removed: 0 });

  await control('/_fake/clock', { now: '2026-03-20T10:00:00+00:00' });
  await control('/_fake/members', { list_id: L, email: 'm3@example.com', status: 'unsubscribed' });
  await control('/_fake/members', { list_id: L, email: 'm4@example.com', status: 'cleaned' });
  const un = await call('lists.getListMembersInfo status+since', () => mailchimp.lists.getListMembersInfo(L,
    { status: 'unsubscribed', since_last_changed: '2026-03-20T09:30:00+00:00', count: 1000, offset: 0 }),
    { members: [MEMBER], list_id: '', total_items: 0 });
  check('members since: only m3', un && un.members.length === 1 && un.members[0].email_address === 'm3@example.com',
        un && JSON.stringify(un.members.map(m => m.email_address)));

  const settings = { subject_line: 'Spring sale', title: 'Spring', from_name: 'Shop', reply_to: 'shop@example.com' };
  const c = await call('campaigns.create', () => mailchimp.campaigns.create({ type: 'regular',
    recipients: { list_id: L, segment_opts: { saved_segment_id: sid, match: 'all' } }, settings }), CAMPAIGN);
  const cid = c ? c.id : 'none';
  await refused('campaigns.send without content -> 400', 400, () => mailchimp.campaigns.send(cid));
  await call('campaigns.setContent', () => mailchimp.campaigns.setContent(cid, { html: '<p>Hi *|FNAME|*</p>', plain_text: 'Hi *|FNAME|*' }),
    { html: '', plain_text: '' });
  await call('campaigns.send', () => mailchimp.campaigns.send(cid));
  const got = await call('campaigns.get', () => mailchimp.campaigns.get(cid), CAMPAIGN);
  check('sent: status sent, send_time the clock, 8 recipients', got && got.status === 'sent' &&
        Date.parse(got.send_time) === Date.parse('2026-03-20T10:00:00Z') && got.emails_sent === 8 &&
        got.recipients.segment_opts.saved_segment_id === sid, got && JSON.stringify([got.status, got.send_time, got.emails_sent]));
  const cl = await call('campaigns.list', () => mailchimp.campaigns.list({ list_id: L, status: 'sent',
    since_send_time: '2026-03-20T00:00:00+00:00', count: 1000, offset: 0 }), { campaigns: [CAMPAIGN], total_items: 0 });
  check('campaigns.list finds it', cl && cl.campaigns.length === 1 && cl.campaigns[0].id === cid);

  const c2 = await call('campaigns.create (to schedule)', () => mailchimp.campaigns.create({ type: 'regular',
    recipients: { list_id: L, segment_opts: { saved_segment_id: sid, match: 'all' } }, settings }), CAMPAIGN);
  await call('campaigns.setContent (2)', () => mailchimp.campaigns.setContent(c2.id, { html: '<p>x</p>', plain_text: 'x' }));
  await refused('campaigns.schedule off the quarter-hour -> 400', 400,
    () => mailchimp.campaigns.schedule(c2.id, { schedule_time: '2026-03-21T09:07:00+00:00' }));
  await call('campaigns.schedule', () => mailchimp.campaigns.schedule(c2.id, { schedule_time: '2026-03-21T09:15:00+00:00' }));
  const sch = await call('campaigns.get scheduled', () => mailchimp.campaigns.get(c2.id), CAMPAIGN);
  check('scheduled: status schedule', sch && sch.status === 'schedule');

  await control('/_fake/clock', { now: '2026-03-20T11:00:00+00:00' });
  await control(`/_fake/campaigns/${cid}/activity`, { email: 'm5@example.com', action: 'open' });
  await control(`/_fake/campaigns/${cid}/activity`, { email: 'm5@example.com', action: 'click', url: 'https://shop.example/a' });
  await control(`/_fake/campaigns/${cid}/activity`, { email: 'm6@example.com', action: 'bounce', type: 'hard' });
  await control(`/_fake/campaigns/${cid}/activity`, { email: 'm7@example.com', action: 'abuse' });
  await control(`/_fake/campaigns/${cid}/activity`, { email: 'm8@example.com', action: 'unsubscribe' });

  const st = await call('reports.getCampaignRecipients', () => mailchimp.reports.getCampaignRecipients(cid, { count: 1000, offset: 0 }),
    { sent_to: [{ email_id: '', email_address: '', status: '', open_count: 0, campaign_id: '', list_id: '' }],
      campaign_id: '', total_items: 0 });
  check('sent-to: 8', st && st.sent_to.length === 8 && st.total_items === 8);
  const ea = await call('reports.getEmailActivityForCampaign', () => mailchimp.reports.getEmailActivityForCampaign(cid,
    { count: 1000, offset: 0, since: '2026-03-20T10:30:00+00:00' }),
    { emails: [{ campaign_id: '', list_id: '', email_id: '', email_address: '', activity: [{ action: '', timestamp: '' }] }],
      campaign_id: '', total_items: 0 });
  const m5 = ea && ea.emails.find(e => e.email_address === 'm5@example.com');
  check('activity: open + click with url', m5 && m5.activity.length === 2 && m5.activity[1].url === 'https://shop.example/a');
  const m6 = ea && ea.emails.find(e => e.email_address === 'm6@example.com');
  check('activity: hard bounce', m6 && m6.activity[0].action === 'bounce' && m6.activity[0].type === 'hard');
  const late = await call('reports.getEmailActivityForCampaign since later', () => mailchimp.reports.getEmailActivityForCampaign(cid,
    { since: '2026-03-20T11:30:00+00:00', count: 1000 }));
  check('activity since later: none', late && late.emails.every(e => e.activity.length === 0));
  const us = await call('reports.getUnsubscribedListForCampaign', () => mailchimp.reports.getUnsubscribedListForCampaign(cid,
    { count: 1000, offset: 0 }), { unsubscribes: [{ email_address: '', timestamp: '', reason: '', campaign_id: '', list_id: '' }],
      campaign_id: '', total_items: 0 });
  check('unsubscribed: m8 (and m7 by abuse is not an unsubscribe report)', us && us.unsubscribes.some(u => u.email_address === 'm8@example.com'));
  const ab = await call('reports.getCampaignAbuseReports', () => mailchimp.reports.getCampaignAbuseReports(cid),
    { abuse_reports: [ABUSE], campaign_id: '', total_items: 0 });
  check('campaign abuse: m7', ab && ab.abuse_reports.length === 1 && ab.abuse_reports[0].email_address === 'm7@example.com');
  const lab = await call('lists.getListAbuseReports', () => mailchimp.lists.getListAbuseReports(L, { count: 1000, offset: 0 }),
    { abuse_reports: [ABUSE], list_id: '', total_items: 0 });
  check('list abuse: m7', lab && lab.total_items === 1);
  const cleaned = await call('lists.getListMembersInfo cleaned', () => mailchimp.lists.getListMembersInfo(L, { status: 'cleaned', count: 1000 }));
  check('cleaned: m4 and m6 (hard bounce)', cleaned && cleaned.members.map(m => m.email_address).sort().join() ===
        'm4@example.com,m6@example.com');

  mailchimp.setConfig({ apiKey: 'wrong-us1', server: 'us1' });
  await refused('wrong key -> 401 API Key Invalid', 401, () => mailchimp.ping.get(), 'API Key Invalid');

  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch(e => { console.log('FAIL ' + e.stack); console.log(`${passed} passed, ${failed + 1} failed`); process.exit(1); });
