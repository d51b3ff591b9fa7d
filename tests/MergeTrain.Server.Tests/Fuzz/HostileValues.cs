using System.Text;

namespace MergeTrain.Server.Tests.Fuzz;

/// <summary>
/// The values the fuzzer puts where valid ones were. Some cannot be written by a JSON serializer
/// (lone surrogates, invalid UTF-8, numbers beyond double, deep nesting): they travel as a
/// placeholder string that <see cref="Render"/> replaces in the serialized bytes.
/// </summary>
internal static class HostileValues
{
    private const string PlaceholderStart = "@@FUZZ:";
    private const string PlaceholderEnd = "@@";

    /// <summary>Raw JSON literals no serializer writes from a .NET value.</summary>
    private static readonly string[] RawLiterals =
    [
        "1e400", "-1e400", "1e-400", "99999999999999999999999999999", "-9223372036854775809", "9223372036854775808",
        "18446744073709551616", "2147483648", "-2147483649", "-0", "0.5", "1E+2", "4294967296", "1.7976931348623157e309",
        "\"\\ud800\"", "\"\\udc00x\"", "\"a\\ud800\\ud800b\"", "\"\\u0000\"", "\"main\\u0000\"", "\"\\ud83d\"",
    ];

    /// <summary>Strings that have broken parsers, databases, git, HTML or logs somewhere.</summary>
    public static readonly string[] Strings =
    [
        "", " ", "\0", "a\0b", "main\0", "\u0001\u0002\u001f", "\t", "\r\n", "main\n", "../x", "..", ".", "/", "//", "a//b", "-x", "x.lock",
        "refs/heads/main", "HEAD", "@", "@{-1}", "a b", "~^:?*[\\", "<script>alert(1)</script>", "\"'><img src=x onerror=alert(1)>",
        "'; DROP TABLE trains; --", "%00", "%2e%2e%2f", "%252F", "\u202Egnp.exe", "🚂💥", "\uFEFF", "\uFFFD", "\uFFFF", "ǅ", "İ",
        "${jndi:ldap://x/a}", "{{7*7}}", "javascript:alert(1)", "null", "true", "0", "-1", "0x10", "1e3", "NaN", "Infinity",
        "9999999999999999999999", "2147483648", "-9223372036854775808", "main", "merge-train/main/1", "MERGE-TRAIN",
        new string('a', 256), new string('/', 300), string.Concat(Enumerable.Repeat("é", 200)),
    ];

    /// <summary>A placeholder for a raw JSON literal (see <see cref="RawLiterals"/>).</summary>
    public static string RawLiteral(Random random) => Placeholder("raw" + random.Next(RawLiterals.Length));

    /// <summary>A placeholder for nesting deeper than any parser's default limit, or just under it.</summary>
    public static string DeepNesting(Random random) => Placeholder("deep" + random.Pick<int>([10, 63, 64, 65, 200, 5000]));

    /// <summary>A placeholder for a string holding bytes that are not UTF-8.</summary>
    public static string InvalidUtf8String() => Placeholder("badutf8");

    /// <summary>A string of <paramref name="length"/> characters drawn from a mix of scripts and control characters.</summary>
    public static string HugeString(Random random, int length)
    {
        const string alphabet = "abcXYZ019 -_/.\"\\\t\n\u00e9\u4e2d\u0416\u0000\u001b<>&'";
        var builder = new StringBuilder(length);
        var runChar = alphabet[random.Next(alphabet.Length)];
        for (var i = 0; i < length; i++)
        {
            // Long runs of one character, as padding attacks send, mixed with noise.
            builder.Append(random.Next(4) == 0 ? alphabet[random.Next(alphabet.Length)] : runChar);
        }

        return builder.ToString();
    }

    /// <summary>Printable ASCII that does not compress, as a header value: PostgreSQL indexes refuse long random keys.</summary>
    public static string RandomToken(Random random, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = (char)random.Next('!', '~' + 1);
        }

        return new string(chars);
    }

    /// <summary>Serialized JSON with every placeholder (quotes included) replaced by what it stands for.</summary>
    public static byte[] Render(string json)
    {
        var output = new MemoryStream();
        var position = 0;
        while (true)
        {
            var start = json.IndexOf("\"" + PlaceholderStart, position, StringComparison.Ordinal);
            if (start < 0)
            {
                Write(output, json[position..]);
                return output.ToArray();
            }

            var end = json.IndexOf(PlaceholderEnd + "\"", start + PlaceholderStart.Length + 1, StringComparison.Ordinal);
            Write(output, json[position..start]);
            var name = json[(start + 1 + PlaceholderStart.Length)..end];
            output.Write(Expand(name));
            position = end + PlaceholderEnd.Length + 1;
        }
    }

    private static byte[] Expand(string name)
    {
        if (name == "badutf8")
        {
            // A lone continuation byte, an overlong '/', a UTF-8-encoded surrogate, and 0xFF.
            return [(byte)'"', (byte)'x', 0x80, 0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xFF, (byte)'"'];
        }

        if (name.StartsWith("deep", StringComparison.Ordinal))
        {
            var depth = int.Parse(name[4..], System.Globalization.CultureInfo.InvariantCulture);
            return Encoding.ASCII.GetBytes(new string('[', depth) + "1" + new string(']', depth));
        }

        return Encoding.UTF8.GetBytes(RawLiterals[int.Parse(name[3..], System.Globalization.CultureInfo.InvariantCulture)]);
    }

    private static string Placeholder(string name) => PlaceholderStart + name + PlaceholderEnd;

    private static void Write(MemoryStream output, string text) => output.Write(Encoding.UTF8.GetBytes(text));
}
