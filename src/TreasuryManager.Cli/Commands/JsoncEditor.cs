using System.Text;
using System.Text.Json;

namespace TreasuryManager.Cli.Commands;

/// <summary>
/// Replaces or adds property values in JSON with // and /* */ comments (appsettings.json as `treasury init`
/// writes it) by splicing the text: everything outside the replaced values — the user's comments, order and
/// layout — stays as it was. Property names match case-insensitively, as configuration keys do.
/// </summary>
internal static class JsoncEditor
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A JSON string literal that keeps ' and non-ASCII text readable (it is written to a file, not HTML).</summary>
    public static string Quote(string value) => JsonSerializer.Serialize(value, Readable);

    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>
    /// Sets the property at <paramref name="path"/> (object names from the root) to <paramref name="valueJson"/>
    /// (JSON text, which may contain comments; continuation lines are indented to the property's depth).
    /// A missing property (or parent object) is appended to its object.
    /// </summary>
    public static string Set(string text, IReadOnlyList<string> path, string valueJson)
    {
        ArgumentOutOfRangeException.ThrowIfZero(path.Count);
        var bytes = Encoding.UTF8.GetBytes(text.TrimStart('\uFEFF'));
        var (objectStart, objectEnd) = RootSpan(bytes);
        for (var i = 0; i < path.Count - 1; i++)
        {
            if (FindProperty(bytes, objectStart, objectEnd, path[i]) is not { } child)
                return Set(Set(text, path.Take(i + 1).ToArray(), "{}"), path, valueJson);
            if (bytes[child.ValueStart] != (byte)'{') throw new FormatException($"\"{string.Join(':', path.Take(i + 1))}\" is not an object");
            (objectStart, objectEnd) = (child.ValueStart, child.ValueEnd);
        }

        var indent = new string(' ', 2 * path.Count);
        var value = valueJson.ReplaceLineEndings("\n").Replace("\n", "\n" + indent, StringComparison.Ordinal);
        var found = FindProperty(bytes, objectStart, objectEnd, path[^1]);
        string result;
        if (found is { } p)
        {
            result = Splice(bytes, p.ValueStart, p.ValueEnd, value);
        }
        else
        {
            var last = LastValueEnd(bytes, objectStart, objectEnd);
            var entry = $"\n{indent}{Quote(path[^1])}: {value}";
            result = last is { } end
                ? Splice(bytes, end, end, "," + entry)
                : Splice(bytes, objectStart + 1, objectStart + 1, entry + "\n" + indent[..^2]);
        }

        // The result must still be readable JSON (with comments).
        RootSpan(Encoding.UTF8.GetBytes(result));
        return result;
    }

    private static string Splice(byte[] bytes, int start, int end, string insert) =>
        Encoding.UTF8.GetString(bytes, 0, start) + insert + Encoding.UTF8.GetString(bytes, end, bytes.Length - end);

    private static (int Start, int End) RootSpan(byte[] bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new FormatException("the configuration is not a JSON object");
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            var end = (int)reader.BytesConsumed;
            while (reader.Read()) throw new FormatException("the configuration has text after its closing brace");
            return (start, end);
        }
        catch (JsonException e)
        {
            throw new FormatException($"the configuration is not valid JSON: {e.Message}", e);
        }
    }

    private readonly record struct Found(int ValueStart, int ValueEnd);

    /// <summary>The value span of a direct property of the object spanning [start, end).</summary>
    private static Found? FindProperty(byte[] bytes, int start, int end, string name)
    {
        var reader = new Utf8JsonReader(bytes.AsSpan(start, end - start), Options);
        reader.Read(); // {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = string.Equals(reader.GetString(), name, StringComparison.OrdinalIgnoreCase);
            reader.Read();
            var valueStart = start + (int)reader.TokenStartIndex;
            reader.Skip();
            if (match) return new Found(valueStart, start + (int)reader.BytesConsumed);
        }

        return null;
    }

    /// <summary>Where the last property value of the object spanning [start, end) ends; null for an empty object.</summary>
    private static int? LastValueEnd(byte[] bytes, int start, int end)
    {
        var reader = new Utf8JsonReader(bytes.AsSpan(start, end - start), Options);
        reader.Read();
        int? last = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            reader.Read();
            reader.Skip();
            last = start + (int)reader.BytesConsumed;
        }

        return last;
    }
}
