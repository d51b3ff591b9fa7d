namespace MergeTrain.Server.Dashboard;

/// <summary>The page frame: navigation (Hangfire's tabs for jobs), styles, and the live-update script.</summary>
internal static class DashboardLayout
{
    private const string Styles = """
        body{font-family:system-ui,sans-serif;margin:0;color:#1d1d1f;background:#f6f7f9}
        header{background:#23262f;color:#fff;padding:.6rem 1rem;display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap}
        header a{color:#cfd8ff;text-decoration:none}header a[aria-current]{color:#fff;font-weight:600}
        header .who{margin-left:auto;font-size:.9rem}
        main{padding:1rem;max-width:1400px}
        h1{font-size:1.3rem}h2{font-size:1.1rem;margin-top:1.6rem}
        .train{background:#fff;border:1px solid #d8dbe2;border-radius:8px;padding:.8rem;margin:.8rem 0}
        .cars{display:flex;gap:.5rem;overflow-x:auto;padding:.4rem 0}
        .car{min-width:13rem;border:2px solid #8a93a6;border-radius:10px 10px 4px 4px;padding:.5rem;background:#fbfbfd;font-size:.85rem}
        .car.fresh{border-color:#2f7de1}.car.merging{border-color:#8e44ad}.car.idle,.car.stale{border-color:#a0a7b4;border-style:dashed}
        .car.merged{border-color:#2e9e5b}.car.dropped{border-color:#d64545}.car.skip_merged{border-color:#c9a227}
        .badge{display:inline-block;border-radius:4px;padding:0 .35rem;font-size:.75rem;background:#e6e8ee}
        .badge.fresh{background:#dce9fb}.badge.merged{background:#d8f1e3}.badge.dropped{background:#f8dede}.badge.success{background:#d8f1e3}.badge.failed{background:#f8dede}.badge.running{background:#dce9fb}
        .car.engine{min-width:7rem;background:#23262f;color:#fff;border-color:#23262f;border-radius:4px 18px 4px 4px}
        header nav{display:flex;gap:1rem;flex-wrap:wrap}h2 .muted{font-size:.85rem;font-weight:400}
        table{border-collapse:collapse;width:100%;background:#fff}th,td{border-bottom:1px solid #e3e5ea;padding:.35rem .5rem;text-align:left;font-size:.88rem;vertical-align:top}
        code,pre{font-family:ui-monospace,monospace;font-size:.8rem}pre{white-space:pre-wrap;max-height:12rem;overflow:auto;margin:0}
        form.inline{display:inline}button{cursor:pointer;margin:.15rem .15rem 0 0}
        .tabs a{margin-right:.8rem}.muted{color:#6b7280}.paused{color:#b45309;font-weight:600}
        figure.chart{display:inline-block;margin:.5rem 1rem .5rem 0;background:#fff;border:1px solid #d8dbe2;border-radius:6px;padding:.5rem}
        figure.chart rect{fill:#2f7de1}figure.chart text{font-size:10px;fill:#555}
        """;

    // Server-sent events say "something changed"; the page then fetches its own content again.
    private const string LiveScript = """
        (function(){
          if(!window.EventSource){return;}
          var source=new EventSource('/dashboard/stream');
          source.onmessage=function(){
            fetch(location.href,{headers:{'X-Dashboard-Partial':'1'},credentials:'same-origin'})
              .then(function(r){return r.ok?r.text():null;})
              .then(function(html){if(html!==null){document.getElementById('content').innerHTML=html;}});
          };
        })();
        """;

    private static readonly (string Path, string Label)[] Navigation =
    [
        ("/dashboard", "Trains"), ("/hangfire", "Jobs"),
        ("/dashboard/webhooks", "Webhooks"), ("/dashboard/audit", "Audit log"), ("/dashboard/charts", "Charts"),
    ];

    public static string Page(string title, string content, string activePath, string? user, bool admin)
    {
        var nav = string.Concat(Navigation.Select(n =>
            $"""<a href="{n.Path}"{(n.Path == activePath ? " aria-current=\"page\"" : "")}>{Html.E(n.Label)}</a>"""));
        var who = user is null
            ? ""
            : $"""<span class="who">{Html.E(user)} ({(admin ? "admin" : "viewer")}) <form method="post" action="/dashboard/logout" class="inline"><button type="submit">Log out</button></form></span>""";
        return $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>{Html.E(title)} · MergeTrain</title><style>{Styles}</style></head>
            <body><header><strong>MergeTrain</strong><nav>{nav}</nav>{who}</header>
            <main id="content">{content}</main>
            <script>{LiveScript}</script></body></html>
            """;
    }
}
