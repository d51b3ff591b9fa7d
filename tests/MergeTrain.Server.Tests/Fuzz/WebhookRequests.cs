using System.Text;

namespace MergeTrain.Server.Tests.Fuzz;

/// <summary>
/// Webhook deliveries made from GitLab's own payloads (<c>samples/webhooks</c>): most with the
/// right secret and event, so that the body's mutations reach the parser; some with a wrong or
/// missing token, an unknown or odd event name, odd identifying headers or content types.
/// </summary>
internal sealed class WebhookRequests(string secret)
{
    private static readonly (string File, string Event)[] Samples =
    [
        ("merge_request_open.json", "Merge Request Hook"),
        ("merge_request_label_added.json", "Merge Request Hook"),
        ("merge_request_update_new_commits.json", "Merge Request Hook"),
        ("note_merge_train.json", "Note Hook"),
        ("pipeline_success.json", "Pipeline Hook"),
        ("push_target.json", "Push Hook"),
    ];

    private static readonly string[] OddEvents =
    [
        "", " ", "Bogus Hook", "merge request hook", "MERGE REQUEST HOOK", "Merge Request Hook ", "System Hook", "Job Hook", "Tag Push Hook",
        "Confidential Note Hook", "Issue Hook", "Wiki Page Hook", "Deployment Hook", "Release Hook", "Merge\tRequest Hook", "Note Hook\u00e9",
        "Push Hook, Note Hook", "%4Eote Hook", "Pipeline Hook\u0000",
    ];

    private static readonly string[] OddContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/json; charset=utf-16", "application/json; charset=nonsense",
        "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=", "application/xml",
        ";;;", "application/json; charset=\"", "*/*", "application/merge-patch+json", "\u00e9/\u00e9",
    ];

    private readonly Dictionary<string, string> _payloads = Samples.ToDictionary(
        s => s.File, s => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "webhooks", s.File)), StringComparer.Ordinal);

    public FuzzRequest Create(Random random, int index, string label)
    {
        var (file, eventName) = random.Pick(Samples);
        var uuid = $"fuzz-{label}";
        var notes = new List<string> { file };
        byte[] body;
        if (random.OneIn(12))
        {
            // The untouched payload, so that odd headers alone are tried too.
            body = Encoding.UTF8.GetBytes(_payloads[file]);
        }
        else
        {
            (body, var mutation) = JsonMutator.Mutate(random, _payloads[file]);
            notes.Add(mutation);
        }

        var headers = new List<KeyValuePair<string, string>>();
        var wrongSecret = false;
        switch (random.Next(16))
        {
            case 0:
                wrongSecret = true;
                // Leading and trailing blanks are not part of a header value (RFC 9110), so none of these pads the secret.
                var (how, token) = random.Pick<(string, string)>([
                    ("another", "wrong"), ("one character more", secret + "x"), ("upper-cased", secret.ToUpperInvariant()), ("with a space inside", secret.Insert(3, " ")),
                    ("one character short", secret[..^1]), ("of 8000 characters", new string('s', 8000)), ("with a non-ASCII prefix", "\u00e9" + secret),
                ]);
                headers.Add(new("X-Gitlab-Token", token));
                notes.Add($"wrong secret ({how})");
                break;
            case 1:
                wrongSecret = true;
                notes.Add("no secret");
                break;
            default:
                headers.Add(new("X-Gitlab-Token", secret));
                break;
        }

        if (random.OneIn(8))
        {
            var odd = random.Pick(OddEvents);
            if (!random.OneIn(6))
            {
                headers.Add(new("X-Gitlab-Event", odd));
                notes.Add($"event \"{JsonMutator.Printable(odd)}\"");
            }
            else
            {
                notes.Add("no event header");
            }
        }
        else
        {
            headers.Add(new("X-Gitlab-Event", eventName));
        }

        string? tracked = uuid;
        if (random.OneIn(10))
        {
            tracked = null;
            var odd = random.Pick<string>(["", HostileValues.RandomToken(random, 3000), HostileValues.RandomToken(random, 20_000), new string('u', 3000), "\u00e9\u00e9", "../../x", "a,b", "%00"]);
            headers.Add(new("X-Gitlab-Event-UUID", odd));
            notes.Add($"event UUID of {odd.Length} chars");
        }
        else
        {
            headers.Add(new("X-Gitlab-Event-UUID", uuid));
        }

        if (random.OneIn(8))
        {
            var key = random.Pick<string>(["", "same-key-every-time", HostileValues.RandomToken(random, 4000), HostileValues.RandomToken(random, 300), "\u00e9", new string('k', 5000)]);
            headers.Add(new("Idempotency-Key", key));
            notes.Add($"Idempotency-Key of {key.Length} chars");
        }

        if (random.OneIn(10))
        {
            AddOddHeader(random, headers, notes);
        }

        var contentType = random.OneIn(6) ? random.Pick(OddContentTypes) : "application/json";
        if (contentType != "application/json")
        {
            notes.Add($"Content-Type \"{contentType}\"");
        }

        return new FuzzRequest(index, $"{label} webhook: {string.Join("; ", notes)}", HttpMethod.Post, random.OneIn(40) ? "/webhooks/gitlab?x=%00&y=%ZZ" : "/webhooks/gitlab")
        {
            Headers = headers,
            Body = body,
            ContentType = random.OneIn(30) ? null : contentType,
            Chunked = random.OneIn(5),
            TrackedEventUuid = tracked,
            WrongSecret = wrongSecret,
        };
    }

    /// <summary>Headers no real client sends: huge, many, non-ASCII, malformed forwarded or cookie values.</summary>
    public static void AddOddHeader(Random random, List<KeyValuePair<string, string>> headers, List<string> notes)
    {
        switch (random.Next(7))
        {
            case 0:
                var length = random.Pick<int>([8_000, 31_000, 40_000, 70_000]);
                headers.Add(new("X-Fuzz-Padding", new string('p', length)));
                notes.Add($"header of {length} chars");
                break;
            case 1:
                for (var i = 0; i < 150; i++)
                {
                    headers.Add(new($"X-Fuzz-{i}", "v"));
                }

                notes.Add("150 extra headers");
                break;
            case 2:
                headers.Add(new("X-Fuzz-Utf8", "caf\u00e9 \u4e2d \ud83d\ude82"));
                notes.Add("non-ASCII header");
                break;
            case 3:
                headers.Add(new("X-Forwarded-For", random.Pick<string>(["not-an-ip", "1.2.3.4, , ::zz", new string('9', 500)])));
                headers.Add(new("X-Forwarded-Proto", random.Pick<string>(["https", "gopher", ""])));
                notes.Add("odd forwarded headers");
                break;
            case 4:
                headers.Add(new("Cookie", random.Pick<string>(["mergetrain_token=", "mergetrain_token=%00%ZZ", "=;;=;", "mergetrain_token=\"unterminated", new string(';', 3000)])));
                notes.Add("odd cookie");
                break;
            case 5:
                headers.Add(new("Accept", random.Pick<string>(["text/html;q=nonsense", "*/*;;;", "text/html, application/xhtml+xml;q=0.9, */*;q=", "\u00e9/\u00e9"])));
                notes.Add("odd Accept");
                break;
            default:
                headers.Add(new("Accept-Encoding", "gzip;q=2, br;q=-1, ,,,"));
                headers.Add(new("Expect", random.Pick<string>(["100-continue", "nonsense"])));
                notes.Add("odd Accept-Encoding/Expect");
                break;
        }
    }
}
