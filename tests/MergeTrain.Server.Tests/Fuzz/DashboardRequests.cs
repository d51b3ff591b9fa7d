using System.Text;

namespace MergeTrain.Server.Tests.Fuzz;

/// <summary>
/// Requests to the health and metrics endpoints, the login form and the dashboard's pages and
/// actions: odd query strings (paging that overflows, filters with NUL and markup), ids beyond
/// <c>int</c>, forms without antiforgery, broken forms.
/// </summary>
internal sealed class DashboardRequests(long projectId, string developerToken, string adminToken)
{
    private static readonly string[] OddValues =
    [
        "", "0", "-1", "2147483647", "2147483648", "-2147483648", "99999999999999999999", "abc", "%00", "a%00b", "%ZZ", "<b>x</b>",
        "\"><script>alert(1)</script>", "main", "accepted", "failed", "rejected", "week", "month", "hour", "day", "ALL", "%E2%80%AE",
        "%ED%A0%80", "1e3", "50", "500", "501",
    ];

    public FuzzRequest Create(Random random, int index, string label)
    {
        var notes = new List<string>();
        var headers = new List<KeyValuePair<string, string>>();
        HttpMethod method = HttpMethod.Get;
        string path;
        byte[]? body = null;
        string? contentType = null;
        switch (random.Next(10))
        {
            case 0:
                path = random.Pick<string>(["/healthz", "/readyz", "/metrics"]) + (random.OneIn(3) ? "?" + Query(random, ["format", "name[]", "x"]) : "");
                method = random.OneIn(5) ? random.Pick<HttpMethod>([HttpMethod.Post, HttpMethod.Head, HttpMethod.Delete]) : HttpMethod.Get;
                break;
            case 1:
                path = "/login?returnUrl=" + Uri.EscapeDataString(random.Pick<string>([
                    "/hangfire", "/hangfire/trains", "//evil.example", "https://evil.example", "/hangfire/../../etc", "/hangfire\r\nX: y", "javascript:alert(1)",
                    new string('/', 5000), "/hangfire/%00", "\u00e9",
                ]));
                break;
            case 2:
            case 3:
                method = HttpMethod.Post;
                path = random.OneIn(4) ? "/logout" : "/login";
                (body, contentType) = LoginBody(random, notes);
                break;
            default:
                Token(random, headers, notes);
                (method, path) = DashboardPath(random, notes);
                break;
        }

        if (random.OneIn(3))
        {
            headers.Add(new("Accept", "text/html,application/xhtml+xml"));
        }

        if (random.OneIn(10))
        {
            WebhookRequests.AddOddHeader(random, headers, notes);
        }

        return new FuzzRequest(index, $"{label} dashboard: {string.Join("; ", notes)}", method, path)
        {
            Headers = headers,
            Body = body,
            ContentType = contentType,
        };
    }

    private void Token(Random random, List<KeyValuePair<string, string>> headers, List<string> notes)
    {
        switch (random.Next(6))
        {
            case 0:
                notes.Add("anonymous");
                break;
            case 1:
                headers.Add(new("Cookie", "mergetrain_token=" + random.Pick<string>(["wrong", "", "%00", new string('c', 4000), adminToken + "%ZZ"])));
                notes.Add("wrong cookie");
                break;
            case 2:
            case 3:
                headers.Add(new("PRIVATE-TOKEN", developerToken));
                notes.Add("viewer");
                break;
            default:
                headers.Add(new("PRIVATE-TOKEN", adminToken));
                notes.Add("admin");
                break;
        }
    }

    private (HttpMethod Method, string Path) DashboardPath(Random random, List<string> notes)
    {
        var id = random.OneIn(3) ? random.Pick(OddValues) : projectId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var iid = random.OneIn(2) ? random.Pick(OddValues) : (1000 + random.Next(50)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (method, path) = random.Next(15) switch
        {
            14 => (HttpMethod.Post, $"/hangfire/webhooks/{random.Pick(OddValues)}/retry"),
            0 => (HttpMethod.Get, "/hangfire/trains?" + Query(random, ["from", "count"])),
            1 => (HttpMethod.Get, "/hangfire/webhooks?" + Query(random, ["status", "from", "count"])),
            2 => (HttpMethod.Get, "/hangfire/audit?" + Query(random, ["project", "branch", "iid", "from", "count"])),
            3 => (HttpMethod.Get, "/hangfire/charts?" + Query(random, ["range"])),
            4 => (HttpMethod.Get, $"/hangfire/cars/{id}/{iid}"),
            5 => (HttpMethod.Get, "/hangfire/jobs/" + random.Pick<string>(["enqueued", "succeeded", "failed", "scheduled", "processing", "deleted", "awaiting"]) + "?" + Query(random, ["from", "count"])),
            6 => (HttpMethod.Get, "/hangfire/jobs/details/" + random.Pick(OddValues)),
            7 => (HttpMethod.Get, "/hangfire/" + random.Pick<string>(["recurring", "servers", "retries", "", "jobs/enqueued/default", "jobs/enqueued/fetched/default", "jobs/enqueued/" + random.Pick(OddValues), "jobs/enqueued/fetched/" + random.Pick(OddValues), "nonexistent", "js123", "css123", "fonts/x"])),
            8 => (HttpMethod.Post, "/hangfire/stats"),
            9 => (HttpMethod.Post, $"/hangfire/trains/{id}/" + random.Pick<string>(["pause", "resume"]) + "?branch=" + random.Pick(OddValues)),
            10 => (HttpMethod.Post, $"/hangfire/trains/{id}/cars/{iid}/" + random.Pick<string>(["remove", "merge-immediately?branch=x"])),
            11 => (HttpMethod.Post, "/hangfire/jobs/enqueued/delete"),
            12 => (HttpMethod.Post, "/hangfire/recurring/trigger"),
            _ => (HttpMethod.Get, "/hangfire/trains/" + id + "/" + random.Pick(OddValues)),
        };
        notes.Add(path.Length > 100 ? path[..100] + "…" : path);
        return (method, path);
    }

    private static string Query(Random random, string[] names)
    {
        var parts = names.Where(_ => !random.OneIn(3)).Select(name => $"{name}={Uri.EscapeDataString(random.Pick(OddValues))}").ToList();
        if (random.OneIn(10))
        {
            parts.Add("from=1&from=2&count=%&count");
        }

        return string.Join("&", parts);
    }

    private static (byte[]? Body, string? ContentType) LoginBody(Random random, List<string> notes)
    {
        switch (random.Next(7))
        {
            case 0:
                notes.Add("login without a body");
                return (null, null);
            case 1:
                notes.Add("login form without antiforgery");
                return ("token=wrong&returnUrl=%2Fhangfire"u8.ToArray(), "application/x-www-form-urlencoded");
            case 2:
                notes.Add("login form of 5000 fields");
                return (Encoding.ASCII.GetBytes(string.Join("&", Enumerable.Range(0, 5000).Select(i => $"f{i}=x"))), "application/x-www-form-urlencoded");
            case 3:
                notes.Add("login as broken multipart");
                return ("--b\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nabc"u8.ToArray(), "multipart/form-data; boundary=b");
            case 4:
                notes.Add("login as JSON");
                return ("{\"token\":\"x\"}"u8.ToArray(), "application/json");
            case 5:
                notes.Add("login form with invalid bytes");
                return ([(byte)'t', (byte)'o', (byte)'k', (byte)'e', (byte)'n', (byte)'=', 0xFF, 0xFE, (byte)'%', (byte)'Z'], "application/x-www-form-urlencoded; charset=bogus");
            default:
                notes.Add("login with an odd content type");
                return ("token=x"u8.ToArray(), random.Pick<string>(["multipart/form-data", "text/plain", ";;", "application/x-www-form-urlencoded; boundary=\""]));
        }
    }
}
