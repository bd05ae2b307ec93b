/*! Cairn overlay loader. Embed with:
 *  <script src="https://cairn.example.com/overlay/cairn.js" data-app-key="KEY" async></script>
 * It queues calls to window.cairn until the runtime (wasm) has loaded, then hands them over.
 * Classic script, no eval: works under a CSP that allows only the Cairn origin and 'wasm-unsafe-eval'. */
(function () {
  'use strict';
  var script = document.currentScript;
  // No script tag, or already loaded.
  if (!script || (window.cairn && window.cairn.version)) return;
  var key = script.getAttribute('data-app-key') || '';
  // .../overlay/
  var base = script.src.replace(/[^/]*([?#].*)?$/, '');
  // The API lives at the root of the Cairn server: drop the trailing "overlay/" directory.
  var api = script.getAttribute('data-api') || base.replace(/overlay\/$/, '');
  var queue = [];
  var stub = {};
  ['identify', 'start', 'stop', 'openLauncher', 'on', 'track'].forEach(function (name) {
    stub[name] = function () {
      queue.push([name, Array.prototype.slice.call(arguments)]);
    };
  });
  window.cairn = stub;
  // Record in app: an author link (?cairn_author=TOKEN, kept for this tab and taken out of the URL)
  // starts the editor bundle's author mode instead of the overlay.
  var store = null, m = /[?&]cairn_author=([^&#]*)/.exec(location.search), token;
  // Storage blocked: the token works for this page only.
  try { store = window.sessionStorage; } catch (e) {}
  if (m) {
    token = decodeURIComponent(m[1]);
    if (store) store.setItem('cairn_author', token);
    history.replaceState(history.state, '',
      location.href.replace(/([?&])cairn_author=[^&#]*&?/, '$1').replace(/[?&](#|$)/, '$1'));
  } else if (store) {
    token = store.getItem('cairn_author');
  }
  if (token) {
    import(api + 'editor/cairn_editor.js')
      .then(function (mod) {
        return mod.default().then(function () {
          mod.start_author(api, token);
        });
      })
      .catch(function (err) {
        console.error('[cairn] the author mode could not load', err);
      });
    return;
  }
  // The wasm and the content are fetched in parallel with the module, not one after the other.
  // The server writes the bundle's content hash here: hashed URLs are cached as immutable, so a
  // later page load fetches neither again nor revalidates them (this file itself is revalidated).
  var v = '?v=CAIRN_BUNDLE_HASH';
  var wasm = fetch(base + 'cairn_overlay_bg.wasm' + v);
  // The key in the query, no custom header: a "simple" cross-origin GET, so no CORS preflight.
  var content = fetch(api.replace(/\/+$/, '') + '/api/v1/overlay/content?key=' + encodeURIComponent(key), {
    mode: 'cors'
  });
  // The runtime reports a failure.
  content.catch(function () {});
  import(base + 'cairn_overlay.js' + v)
    .then(function (mod) {
      return mod.default({ module_or_path: wasm }).then(function () {
        mod.boot(key, api, queue, content);
      });
    })
    .catch(function (err) {
      console.error('[cairn] the overlay could not load', err);
    });
})();
