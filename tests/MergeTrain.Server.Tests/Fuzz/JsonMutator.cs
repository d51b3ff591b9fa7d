using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MergeTrain.Server.Tests.Fuzz;

/// <summary>
/// Mutates a valid JSON document: a value anywhere (array elements included) replaced by one of
/// the wrong type, a hostile or huge one, removed; then, sometimes, the bytes themselves broken
/// (truncated, invalid UTF-8, another encoding). Each mutation is described, for the report.
/// </summary>
internal static class JsonMutator
{
    private static readonly JsonSerializerOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A mutated copy of <paramref name="json"/> and what was done to it.</summary>
    public static (byte[] Body, string Description) Mutate(Random random, string json)
    {
        var root = JsonNode.Parse(json)!;
        var done = new List<string>();
        var mutations = random.Next(1, 4);
        for (var i = 0; i < mutations; i++)
        {
            done.Add(MutateOneValue(random, ref root));
        }

        var body = HostileValues.Render(root.ToJsonString(Writer));
        if (random.Next(4) == 0)
        {
            var (broken, how) = BreakBytes(random, body);
            body = broken;
            done.Add(how);
        }

        return (body, string.Join("; ", done));
    }

    /// <summary>Every place in the tree: its parent and its key or index (the root has none).</summary>
    private static List<(JsonNode Parent, string? Key, int Index)> Places(JsonNode root)
    {
        var places = new List<(JsonNode, string?, int)>();
        void Walk(JsonNode node)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (key, child) in obj.ToList())
                    {
                        places.Add((obj, key, -1));
                        if (child is not null)
                        {
                            Walk(child);
                        }
                    }

                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        places.Add((array, null, i));
                        if (array[i] is { } item)
                        {
                            Walk(item);
                        }
                    }

                    break;
            }
        }

        Walk(root);
        return places;
    }

    private static string MutateOneValue(Random random, ref JsonNode root)
    {
        var places = Places(root);
        if (places.Count == 0 || random.Next(50) == 0)
        {
            var replacement = WrongValue(random, out var what);
            root = replacement ?? JsonValue.Create("null-root")!;
            return $"root replaced by {what}";
        }

        // Array elements are where the unchecked casts hid: favour them.
        var inArrays = places.Where(p => p.Key is null).ToList();
        var (parent, key, index) = inArrays.Count > 0 && random.Next(3) == 0 ? random.Pick(inArrays) : random.Pick(places);
        var path = PathOf(parent, key, index);
        if (key is not null && random.Next(6) == 0)
        {
            ((JsonObject)parent).Remove(key);
            return $"{path} removed";
        }

        var value = WrongValue(random, out var description);
        if (key is not null)
        {
            parent[key] = value;
        }
        else
        {
            ((JsonArray)parent)[index] = value;
        }

        return $"{path} = {description}";
    }

    private static JsonNode? WrongValue(Random random, out string description)
    {
        switch (random.Next(12))
        {
            case 0:
                description = "null";
                return null;
            case 1:
                var number = random.Pick<long>([0L, -1L, 1L, long.MaxValue, long.MinValue, int.MaxValue + 1L, 7L]);
                description = $"number {number}";
                return JsonValue.Create(number);
            case 2:
                var flag = random.Next(2) == 0;
                description = flag ? "true" : "false";
                return JsonValue.Create(flag);
            case 3:
                description = "{}";
                return random.Next(2) == 0 ? new JsonObject() : new JsonObject { ["id"] = "x", ["title"] = 5, ["nested"] = new JsonArray(1, "a", null) };
            case 4:
                description = "array";
                return random.Next(2) == 0 ? new JsonArray() : new JsonArray(1, "a", null, new JsonObject(), new JsonArray(true));
            case 5:
            case 6:
                var text = random.Pick(HostileValues.Strings);
                description = $"hostile string \"{Printable(text)}\"";
                return JsonValue.Create(text);
            case 7:
                var length = random.OneIn(10) ? 1_100_000 : random.Pick<int>([300, 5_000, 70_000]);
                description = $"string of {length} chars";
                return JsonValue.Create(HostileValues.HugeString(random, length));
            case 8:
            case 9:
                var raw = HostileValues.RawLiteral(random);
                description = $"raw literal {raw}";
                return JsonValue.Create(raw);
            case 10:
                var deep = HostileValues.DeepNesting(random);
                description = $"nesting {deep}";
                return JsonValue.Create(deep);
            default:
                description = "string with invalid UTF-8";
                return JsonValue.Create(HostileValues.InvalidUtf8String());
        }
    }

    /// <summary>Breaks well-formed bytes in one of the ways a proxy, a bug or an attacker would.</summary>
    public static (byte[] Body, string Description) BreakBytes(Random random, byte[] body)
    {
        switch (random.Next(9))
        {
            case 0:
                var cut = body.Length == 0 ? 0 : random.Next(body.Length);
                return (body[..cut], $"truncated at byte {cut}");
            case 1:
                var at = body.Length == 0 ? 0 : random.Next(body.Length);
                return ([.. body[..at], 0xFF, 0xFE, 0xC3, 0x28, .. body[at..]], $"invalid UTF-8 bytes at {at}");
            case 2:
                return ([0xEF, 0xBB, 0xBF, .. body], "UTF-8 byte order mark");
            case 3:
                return (Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(body)), "re-encoded as UTF-16");
            case 4:
                return ([.. body, .. "}{\"x\":1}"u8], "trailing garbage");
            case 5:
                return ([], "empty body");
            case 6:
                var literal = random.Pick<string>(["null", "[]", "\"text\"", "42", "true", "[{}]", "{\"a\":", "{]", "\0"]);
                return (Encoding.UTF8.GetBytes(literal), $"body is {Printable(literal)}");
            case 7:
                var noise = new byte[random.Next(1, 4096)];
                random.NextBytes(noise);
                return (noise, $"{noise.Length} random bytes");
            default:
                var json = Encoding.UTF8.GetString(body);
                var duplicated = json.Length > 1 && json[0] == '{' ? "{\"object_kind\":\"push\",\"object_kind\":5," + json[1..] : json;
                return (Encoding.UTF8.GetBytes(duplicated), "duplicate object_kind keys");
        }
    }

    public static string Printable(string text)
    {
        var shown = text.Length > 40 ? text[..40] + $"…({text.Length})" : text;
        return string.Concat(shown.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }

    private static string PathOf(JsonNode parent, string? key, int index)
    {
        var parentPath = parent.GetPath();
        return key is not null ? $"{parentPath}.{key}" : $"{parentPath}[{index}]";
    }
}
