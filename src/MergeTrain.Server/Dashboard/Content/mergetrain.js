// MergeTrain's pages in Hangfire's dashboard. Appended to Hangfire's script bundle, so jQuery and
// Hangfire's own handlers (data-ajax buttons post with the antiforgery header, then reload) are there.
(function ($) {
    'use strict';

    // Keeps a page current: fetches its live part again every few seconds, swapped in only when it
    // changed, and not while the tab is hidden or an action is on its way.
    var live = document.querySelector('.mt-live');
    var every = 3000;
    var busy = false;
    if (live && window.fetch) {
        var last = null;
        var refresh = function () {
            if (document.hidden || busy) {
                setTimeout(refresh, every);
                return;
            }

            fetch(window.location.href, { headers: { 'X-MergeTrain-Live': '1' }, credentials: 'same-origin', cache: 'no-store' })
                .then(function (response) { return response.ok ? response.text() : null; })
                .then(function (html) {
                    if (html !== null && html !== last && !busy) {
                        live.innerHTML = html;
                        last = html;
                    }
                })
                .catch(function () { /* the next round tries again; Hangfire's banner reports a lost server */ })
                .then(function () { setTimeout(refresh, every); });
        };
        setTimeout(refresh, 0);
    }

    // Hangfire's buttons say nothing when an action is refused; ours show why.
    $(document).ajaxSend(function (event, xhr, settings) {
        if (settings.type === 'POST') { busy = true; }
    });
    $(document).ajaxComplete(function () { busy = false; });
    $(document).ajaxError(function (event, xhr, settings) {
        var error = document.querySelector('.mt-action-error');
        if (!error || settings.type !== 'POST') { return; }
        error.textContent = (xhr.responseText || xhr.statusText || 'The action failed') + ' (HTTP ' + xhr.status + ')';
        error.hidden = false;
        $('[data-ajax]').each(function () { $(this).button('reset'); });
    });
})(window.jQuery);
