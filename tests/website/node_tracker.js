// tests/website/node_tracker.js -- Matomo's own Node.js tracker (npm
// matomo-tracker, installed under $(BUILD)/npm-website) sends the hits the
// shop page sends, to camp serve, for tests/suite_website.sh:
//   node node_tracker.js NPMDIR TRACKERURL SITEID PAGEURL VISITOR
// a page view titled "Shop page", then the purchase event (value 42.5).
// Exit 0 once both are answered 2xx, 1 otherwise.
'use strict';
const [npm, trackerUrl, site, pageUrl, visitor] = process.argv.slice(2);
const MatomoTracker = require(npm + '/node_modules/matomo-tracker');
const tracker = new MatomoTracker(site, trackerUrl);
const http = require('http');
let answered = 0, failed = false;
const get = http.get;
http.get = function (u, cb) {           // the tracker does not say when a hit is answered: count them
  return get.call(http, u, (res) => {
    res.resume();
    if (res.statusCode >= 300) failed = true;
    if (++answered === 2 && !failed) process.exitCode = 0;
    cb(res);
  });
};
tracker.on('error', (e) => { console.error('tracker: ' + e); process.exitCode = 1; });
process.exitCode = 1;
tracker.track({ url: pageUrl, action_name: 'Shop page', _id: visitor, apiv: 1 });
tracker.track({ url: pageUrl, e_c: 'shop', e_a: 'purchase', e_n: 'purchase', e_v: 42.5, _id: visitor, apiv: 1 });
