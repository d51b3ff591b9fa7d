using Hangfire.Dashboard;

namespace MergeTrain.Server.Dashboard.Pages;

/// <summary>
/// The dashboard's login form, outside Hangfire's dashboard (whose every page needs a user). It
/// is a <see cref="RazorPage"/> only for its encoding <c>Write</c>; it uses nothing of Hangfire's context.
/// </summary>
internal sealed class LoginPage(string returnUrl, bool failed, string antiforgeryField, string antiforgeryToken, string? user) : RazorPage
{
    private const string Styles = """
        body{margin:0;font-family:"Helvetica Neue",Helvetica,Arial,sans-serif;font-size:14px;color:#333;background:#f5f5f5}
        header{background:#222;color:#fff;padding:14px 20px;font-size:18px}
        main{max-width:420px;margin:60px auto;background:#fff;border:1px solid #ddd;border-radius:4px;padding:24px 28px}
        h1{font-size:22px;margin:0 0 12px}label{display:block;font-weight:bold;margin:16px 0 6px}
        input[type=password]{box-sizing:border-box;width:100%;padding:8px;font-size:14px;border:1px solid #ccc;border-radius:4px}
        button{margin-top:16px;padding:8px 16px;font-size:14px;color:#fff;background:#337ab7;border:1px solid #2e6da4;border-radius:4px;cursor:pointer}
        .alert{padding:10px;border-radius:4px;background:#f2dede;color:#a94442;border:1px solid #ebccd1}
        .muted{color:#777}a{color:#337ab7}
        """;

    /// <inheritdoc/>
    public override void Execute()
    {
        WriteLiteral("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"none\">");
        WriteLiteral($"<title>Log in – MergeTrain</title><style>{Styles}</style></head><body><header>MergeTrain</header><main>");
        if (user is not null)
        {
            WriteLiteral("<h1>Logged in</h1><p>As <strong>");
            Write(user);
            WriteLiteral("</strong>. <a href=\"");
            Write(returnUrl);
            WriteLiteral("\">Go to the dashboard</a>, or log in with another token below.</p>");
            WriteForm("/logout", null, "Log out");
        }
        else
        {
            WriteLiteral("<h1>Log in</h1>");
        }

        if (failed)
        {
            WriteLiteral("<p class=\"alert\" role=\"alert\">That token is not valid.</p>");
        }

        WriteLiteral("<p class=\"muted\">Paste an API token (<code>MergeTrain:ApiTokens</code>). Any token may look; admin tokens may also act on trains and jobs.</p>");
        WriteForm(DashboardLogin.Path, """<label for="token">Token</label><input id="token" type="password" name="token" autocomplete="current-password" required autofocus>""", "Log in");
        WriteLiteral("</main></body></html>");
    }

    private void WriteForm(string action, string? fields, string button)
    {
        WriteLiteral($"<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"");
        Write(antiforgeryField);
        WriteLiteral("\" value=\"");
        Write(antiforgeryToken);
        WriteLiteral("\"><input type=\"hidden\" name=\"returnUrl\" value=\"");
        Write(returnUrl);
        WriteLiteral("\">");
        WriteLiteral(fields);
        WriteLiteral($"<button type=\"submit\">{button}</button></form>");
    }
}
