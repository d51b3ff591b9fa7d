using System.Text;

namespace MergeTrain.Server.Tests.Fuzz;

/// <summary>
/// Requests to the merge trains API (SPEC section 6) with odd tokens, project ids, branches and
/// iids (overflowing, double-encoded, NUL), paging parameters that overflow, and add-to-train
/// bodies that are broken JSON, broken multipart, huge or endless forms.
/// </summary>
/// <remarks>
/// The iids name no MR of the fake GitLab and the operator actions no real train, so the run
/// leaves no train behind whose state the check afterwards would depend on.
/// </remarks>
internal sealed class ApiRequests(long projectId, string projectPath, string developerToken, string adminToken)
{
    private static readonly string[] OddSegments =
    [
        "%00", "%2500", "%252F", "%25", "%ZZ", "%", "%C0%AF", "%ED%A0%80", "%FF%FE", "%E2%80%AE", "..", "%2e%2e", "%2F", "a%2Fb",
        "main%00", "%F0%9F%9A%82", "-1", "0", "99999999999999999999", "9223372036854775808", "1e3", "%20", "+", "%0A", "%0D%0A", "~",
        "main", "feature%2Fx", "%252e%252e%252f", "%25%32%46",
    ];

    private static readonly string[] OddNumbers =
    [
        "0", "-1", "1", "2", "100", "101", "2147483647", "2147483648", "-2147483648", "-2147483649", "99999999999999999999", "1e3", "1.5",
        "abc", "", " 1", "0x10", "%00", "1%00", "\u0661", "+1", "00001", "NaN",
    ];

    public FuzzRequest Create(Random random, int index, string label)
    {
        var notes = new List<string>();
        var headers = new List<KeyValuePair<string, string>>();
        Token(random, headers, notes);
        var id = random.Next(5) switch
        {
            0 => Uri.EscapeDataString(projectPath),
            1 => random.Pick(OddSegments),
            2 => Uri.EscapeDataString(Uri.EscapeDataString(projectPath)),
            _ => projectId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var prefix = $"/api/v4/projects/{id}";
        var iid = random.OneIn(3) ? random.Pick(OddNumbers) : (1000 + random.Next(100)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var branch = random.OneIn(4) ? "main" : random.Pick(OddSegments);
        var operatorBranch = random.Pick(OddSegments) is var b && b != "main" ? b : "no-such-train";
        HttpMethod method;
        string path;
        byte[]? body = null;
        string? contentType = null;
        switch (random.Next(10))
        {
            case 0:
            case 1:
                (method, path) = (HttpMethod.Get, prefix + "/merge_trains" + Query(random, notes));
                break;
            case 2:
                (method, path) = (HttpMethod.Get, $"{prefix}/merge_trains/{branch}" + Query(random, notes));
                break;
            case 3:
                (method, path) = (HttpMethod.Get, $"{prefix}/merge_trains/merge_requests/{iid}");
                break;
            case 4:
            case 5:
            case 6:
                (method, path) = (HttpMethod.Post, $"{prefix}/merge_trains/merge_requests/{iid}" + (random.OneIn(4) ? Query(random, notes) : ""));
                (body, contentType) = AddBody(random, notes);
                break;
            case 7:
                (method, path) = random.OneIn(2)
                    ? (HttpMethod.Delete, $"{prefix}/merge_trains/merge_requests/{iid}")
                    : (HttpMethod.Post, $"{prefix}/merge_requests/{iid}/cancel_merge_when_pipeline_succeeds");
                break;
            case 8:
                (method, path) = (HttpMethod.Post, $"{prefix}/merge_trains/{operatorBranch}/" + random.Pick<string>(["pause", "resume", $"merge_requests/{iid}/merge_immediately"]));
                if (random.OneIn(3))
                {
                    (body, contentType) = AddBody(random, notes);
                }

                break;
            default:
                method = random.Pick<HttpMethod>([HttpMethod.Put, HttpMethod.Patch, HttpMethod.Options, HttpMethod.Head, new HttpMethod("FUZZ"), HttpMethod.Get]);
                path = random.Pick<string>([prefix, $"{prefix}/merge_trains/merge_requests", "/api/v4/projects", "/api/v4/", $"{prefix}/merge_trains/{branch}/{branch}", "/openapi/v1.json"]);
                break;
        }

        if (random.OneIn(10))
        {
            WebhookRequests.AddOddHeader(random, headers, notes);
        }

        return new FuzzRequest(index, $"{label} API: {string.Join("; ", notes)}", method, path)
        {
            Headers = headers,
            Body = body,
            ContentType = contentType,
            Chunked = body is not null && random.OneIn(5),
        };
    }

    private void Token(Random random, List<KeyValuePair<string, string>> headers, List<string> notes)
    {
        switch (random.Next(14))
        {
            case 0:
                headers.Add(new("PRIVATE-TOKEN", random.Pick<string>(["wrong", developerToken + " ", "", new string('t', 9000), "\u00e9"])));
                notes.Add("wrong PRIVATE-TOKEN");
                break;
            case 1:
                headers.Add(new("Authorization", random.Pick<string>(["Bearer", "Bearer ", "Bearer  " + developerToken + " x", "Basic Zm9vOmJhcg==", "bearer " + adminToken, new string('B', 9000), "Bearer \u00e9"])));
                notes.Add("odd Authorization");
                break;
            case 2:
                notes.Add("no token");
                break;
            case 3:
            case 4:
            case 5:
                headers.Add(new("PRIVATE-TOKEN", adminToken));
                notes.Add("admin");
                break;
            default:
                headers.Add(new("PRIVATE-TOKEN", developerToken));
                break;
        }
    }

    private static string Query(Random random, List<string> notes)
    {
        var parts = new List<string>();
        foreach (var name in new[] { "page", "per_page", "scope", "sort" })
        {
            if (random.OneIn(2))
            {
                var value = name is "scope" or "sort"
                    ? random.Pick<string>(["active", "complete", "asc", "desc", "ACTIVE", "", "%00", "x%ZZ", new string('s', 5000)])
                    : random.Pick(OddNumbers);
                parts.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }

        if (random.OneIn(8))
        {
            parts.Add("page=1&page=2&per_page=5&per_page=50");
        }

        if (random.OneIn(10))
        {
            parts.Add(string.Join("&", Enumerable.Range(0, 2000).Select(i => $"f{i}={i}")));
        }

        if (parts.Count == 0)
        {
            return "";
        }

        var query = "?" + string.Join("&", parts);
        notes.Add($"query {(query.Length > 100 ? query[..100] + "…" : query)}");
        return query;
    }

    /// <summary>An add-to-train body: GitLab takes <c>sha</c> and <c>auto_merge</c> from JSON, a form or the query.</summary>
    private static (byte[]? Body, string? ContentType) AddBody(Random random, List<string> notes)
    {
        switch (random.Next(9))
        {
            case 0:
                notes.Add("no body");
                return (null, null);
            case 1:
            case 2:
                var (json, how) = JsonMutator.Mutate(random, "{\"sha\":\"0123456789abcdef0123456789abcdef01234567\",\"squash\":false,\"auto_merge\":true,\"list\":[1,\"two\"]}");
                notes.Add($"JSON: {how}");
                return (json, random.Pick<string>(["application/json", "application/json; charset=utf-8", "application/json; charset=latin1", "application/json; charset=bogus", "text/json"]));
            case 3:
                var cut = random.Next(1, 12);
                notes.Add("truncated JSON");
                return (Encoding.UTF8.GetBytes("{\"sha\":\"abc\",\"auto_merge\":true}"[..cut]), "application/json");
            case 4:
                var fields = random.Pick<int>([10, 1100, 5000, 20_000]);
                notes.Add($"form of {fields} fields");
                return (Encoding.ASCII.GetBytes(string.Join("&", Enumerable.Range(0, fields).Select(i => $"sha{i}=x"))), "application/x-www-form-urlencoded");
            case 5:
                notes.Add("form with odd encoding");
                return (random.Pick<byte[]>([
                    "sha=%ZZ&auto_merge=%"u8.ToArray(), "sha=%00&auto_merge=true"u8.ToArray(), [(byte)'s', (byte)'h', (byte)'a', (byte)'=', 0xFF, 0xC3],
                    Encoding.ASCII.GetBytes("sha=" + new string('a', 5_000_000)), Encoding.ASCII.GetBytes(new string('k', 3000) + "=v"), "&&&==&="u8.ToArray(),
                ]), random.Pick<string>(["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=bogus", "application/x-www-form-urlencoded; charset=utf-16"]));
            case 6:
                notes.Add("broken multipart");
                return Multipart(random);
            case 7:
                var type = random.Pick<string>(["text/plain", "application/xml", "application/octet-stream", ";;", "application/json; q=\"", "multipart/mixed"]);
                notes.Add($"body as {type}");
                return ("{\"sha\":\"x\"}"u8.ToArray(), type);
            default:
                notes.Add("valid JSON body");
                return ("{\"sha\":\"0123456789abcdef0123456789abcdef01234567\",\"auto_merge\":false}"u8.ToArray(), "application/json");
        }
    }

    private static (byte[] Body, string ContentType) Multipart(Random random)
    {
        const string boundary = "fuzzboundary";
        var whole = $"--{boundary}\r\nContent-Disposition: form-data; name=\"sha\"\r\n\r\nabc\r\n--{boundary}--\r\n";
        return random.Next(6) switch
        {
            0 => (Encoding.ASCII.GetBytes(whole), "multipart/form-data"),
            1 => (Encoding.ASCII.GetBytes(whole[..(whole.Length / 2)]), $"multipart/form-data; boundary={boundary}"),
            2 => (Encoding.ASCII.GetBytes(whole), "multipart/form-data; boundary=other"),
            3 => (Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: nonsense\r\n\r\nabc\r\n--{boundary}--\r\n"), $"multipart/form-data; boundary={boundary}"),
            4 => (Encoding.ASCII.GetBytes(whole), $"multipart/form-data; boundary={new string('b', 200)}"),
            _ => (Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 1500).Select(i => $"--{boundary}\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nv\r\n")) + $"--{boundary}--\r\n"), $"multipart/form-data; boundary={boundary}"),
        };
    }
}
